"""hubspot-ui/all-contacts.csv (written by story.py) -> all-contacts.xlsx, as the
HubSpot UI exports it: first sheet, header row 1, "Record ID" as a number, the
date columns as Excel date cells (naive New York wall time), the rest as text.
Run from tools/: python3 to_xlsx.py  (needs openpyxl), then delete the CSV."""
import csv
import datetime
import os

import openpyxl

d = os.path.join(os.path.dirname(__file__), "..", "hubspot-ui")
rows = list(csv.reader(open(os.path.join(d, "all-contacts.csv"), newline="")))
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "All contacts"
for i, r in enumerate(rows):
    out = []
    for h, v in zip(rows[0], r):
        if v == "":
            out.append(None)
        elif i == 0:
            out.append(v)
        elif h == "Record ID":
            out.append(int(v))
        elif "Date" in h:
            out.append(datetime.datetime.strptime(v, "%Y-%m-%d %H:%M"))
        else:
            out.append(v)
    ws.append(out)
wb.save(os.path.join(d, "all-contacts.xlsx"))
