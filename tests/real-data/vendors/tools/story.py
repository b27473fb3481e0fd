"""One business story (Jan-Mar 2024, UTC) rendered into six vendor export shapes.

Run: python3 story.py  -> writes ../exports/*/ data files (not the toml/NOTES).
Every timestamp here is UTC; shapes convert as the vendor would.
"""
import csv, os, random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from sfid import to18

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "exports")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc

def T(s):  # "2024-01-08 14:05" -> aware UTC datetime
    return datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)

def D(s):  # date only
    return datetime.strptime(s, "%Y-%m-%d").date()

# ---------------------------------------------------------------- Salesforce ids
# 15-character ids: prefix(3) + pod "5g" + "00000" + 5 mixed-case chars.
def sid(prefix, tail):
    i = prefix + "5g00000" + tail
    assert len(i) == 15, i
    return i

USERS = {  # name -> 15-char id
    "Dana Whitfield": sid("005", "DwTfA"),
    "Luis Ortega": sid("005", "LoRtG"),
    "Marketo Integration": sid("005", "MkToI"),
}

# Leads. mql/working/converted/notconv are status-change times (LeadHistory).
LEADS = [
 # key, id-tail, created, source, owner, company, industry, employees, country, rating, final status
 dict(k="L01", tail="AqX2b", created="2024-01-08 14:05", source="Web", owner="Dana Whitfield", company="Northwind Analytics", industry="Technology", emp=120, country="USA", rating="Hot",
      mql="2024-01-09 10:00", working="2024-01-09 13:35", converted="2024-01-22 16:00", opp="O1", contact="Ab1cD"),
 dict(k="L02", tail="BrT7k", created="2024-01-10 09:12", source="Phone Inquiry", owner="Luis Ortega", company="Bluebay Logistics", industry="Transportation", emp=450, country="USA", rating="Warm",
      mql="2024-01-10 11:00", working="2024-01-11 15:05", converted="2024-01-25 11:20", opp="O2", contact="Bc2dE"),
 dict(k="L03", tail="CkP4m", created="2024-01-15 08:40", source="Partner Referral", owner="Dana Whitfield", company="Helix Biotech", industry="Biotechnology", emp=60, country="Canada", rating="Warm",
      mql="2024-01-16 09:00"),
 dict(k="L04", tail="DmW9q", created="2024-01-18 13:20", source="Web", owner="Luis Ortega", company="Quarry & Stone", industry="Construction", emp=35, country="USA", rating="Cold",
      mql="2024-01-18 15:00", working="2024-01-18 16:10", notconv="2024-02-05 10:00"),
 dict(k="L05", tail="EnZ3r", created="2024-01-22 10:00", source="Purchased List", owner="Dana Whitfield", company="Vega Retail", industry="Retail", emp=900, country="USA", rating="Cold"),
 dict(k="L06", tail="FpB8s", created="2024-02-01 15:30", source="Web", owner="Luis Ortega", company="Orbit Fintech", industry="Finance", emp=210, country="UK", rating="Hot",
      mql="2024-02-02 09:30", working="2024-02-02 10:05", converted="2024-02-14 14:00", opp="O3", contact="Fg6hJ"),
 dict(k="L07", tail="GqC5t", created="2024-02-05 12:00", source="Other", owner="Dana Whitfield", company="Test Test Ltd", industry="Other", emp=1, country="USA", rating="Cold",
      mql="2024-02-06 09:00", deleted=True),
 dict(k="L08", tail="HrD2u", created="2024-02-08 11:15", source="Phone Inquiry", owner="Dana Whitfield", company="Cedar Health", industry="Healthcare", emp=300, country="USA", rating="Warm",
      mql="2024-02-09 11:00"),
 dict(k="L09", tail="JsE6v", created="2024-02-12 09:45", source="Web", owner="Luis Ortega", company="Pinnacle Foods", industry="Food & Beverage", emp=1500, country="USA", rating="Warm",
      working="2024-02-13 10:00", converted="2024-02-20 15:30", opp="O4", contact="Jk7lM"),
 dict(k="L10", tail="KtF1w", created="2024-02-20 16:00", source="Partner Referral", owner="Dana Whitfield", company="Summit Legal", industry="Legal", emp=40, country="Canada", rating="Warm",
      mql="2024-02-21 10:00", working="2024-02-22 09:10"),
 dict(k="L11", tail="LuGaB", created="2024-03-04 14:00", source="Web", owner="Luis Ortega", company="Arcadia Media", industry="Media", emp=80, country="USA", rating="Hot",
      mql="2024-03-05 10:00", working="2024-03-05 12:05", converted="2024-03-12 11:00", opp="O5", contact="Lm9nP"),
 # L12's id differs from L11's only in the case of one letter (LuGaB vs LuGab): ids are case-sensitive
 dict(k="L12", tail="LuGab", created="2024-03-11 10:30", source="Web", owner="Dana Whitfield", company="Arcadia Medical", industry="Healthcare", emp=500, country="USA", rating="Warm",
      mql="2024-03-25 09:00"),
 dict(k="L13", tail="MvH4c", created="2024-03-28 17:45", source="Web", owner="Luis Ortega", company="Tidewater Energy", industry="Energy", emp=2200, country="USA", rating="Cold"),
]
for l in LEADS:
    l["id15"] = sid("00Q", l["tail"])
    l["id18"] = to18(l["id15"])
    l.setdefault("deleted", False)
    if "contact" in l:
        l["contact15"] = sid("003", l["contact"]); l["contact18"] = to18(l["contact15"])
        l["account15"] = sid("001", l["contact"][::-1]); l["account18"] = to18(l["account15"])
    if l.get("converted"): status = "Closed - Converted"
    elif l.get("notconv"): status = "Closed - Not Converted"
    elif l.get("working") and not l.get("mql"): status = "Working - Contacted"
    elif l.get("working"): status = "Working - Contacted"
    elif l.get("mql"): status = "Marketing Qualified"
    else: status = "Open - Not Contacted"
    l["status"] = status
LBY = {l["k"]: l for l in LEADS}

# Opportunities
OTHER_CONTACT = sid("003", "XyZ0a")       # a contact created directly (no lead)
OTHER_CONTACT2 = sid("003", "QwE3r")      # economic buyer on O6, not from a lead
RENEWAL_ACCOUNT = sid("001", "RnWl1")
OPPS = [
 dict(k="O1", tail="Op1Aa", lead="L01", created="2024-01-22 16:00", close="2024-02-20", stage="Closed Won", amount=24000, owner="Dana Whitfield", type="New Business", reason=""),
 dict(k="O2", tail="Op2Bb", lead="L02", created="2024-01-25 11:20", close="2024-02-28", stage="Closed Lost", amount=18000, owner="Luis Ortega", type="New Business", reason="Price"),
 dict(k="O3", tail="Op3Cc", lead="L06", created="2024-02-14 14:00", close="2024-03-15", stage="Closed Won", amount=30000, owner="Luis Ortega", type="New Business", reason=""),
 dict(k="O4", tail="Op4Dd", lead="L09", created="2024-02-20 15:30", close="2024-03-01", stage="Closed Lost", amount=12000, owner="Luis Ortega", type="New Business", reason="No Decision"),
 # open, its CloseDate (a stale forecast) is before its CreatedDate: never closed_before_created
 dict(k="O5", tail="Op5Ee", lead="L11", created="2024-03-12 11:00", close="2024-03-08", stage="Qualification", amount=15000, owner="Luis Ortega", type="New Business", reason=""),
 # upsell on L06's converted contact: linked only through OpportunityContactRole; open, CloseDate in the future
 dict(k="O6", tail="Op6Ff", lead=None, ocr="L06", created="2024-03-18 09:00", close="2024-05-31", stage="Proposal/Price Quote", amount=20000, owner="Luis Ortega", type="Existing Business", reason=""),
 # renewal on an account that never was a lead: not linked to any lead
 dict(k="O7", tail="Op7Gg", lead=None, created="2024-03-04 10:00", close="2024-03-28", stage="Closed Won", amount=8000, owner="Dana Whitfield", type="Existing Business - Renewal", reason=""),
 # deleted (recycle bin)
 dict(k="O8", tail="Op8Hh", lead=None, created="2024-02-01 10:00", close="2024-02-10", stage="Closed Won", amount=5000, owner="Dana Whitfield", type="New Business", reason="", deleted=True),
]
for o in OPPS:
    o["id15"] = sid("006", o["tail"]); o["id18"] = to18(o["id15"])
    o.setdefault("deleted", False); o.setdefault("ocr", None)
OBY = {o["k"]: o for o in OPPS}
for l in LEADS:
    if l.get("opp"):
        l["opp15"] = OBY[l["opp"]]["id15"]; l["opp18"] = OBY[l["opp"]]["id18"]

def is_won(stage): return stage == "Closed Won"
def is_closed(stage): return stage in ("Closed Won", "Closed Lost")

# ---------------------------------------------------------------- helpers
def ensure(d):
    os.makedirs(d, exist_ok=True); return d

def write_csv(path, header, rows, quote_all=False, sep=","):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, delimiter=sep, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])

def iso_z(s):       # Data Loader / Bulk API datetime
    return T(s).strftime("%Y-%m-%dT%H:%M:%S.000Z")
def naive(s):       # warehouse (Fivetran) timestamp, UTC, no zone
    return T(s).strftime("%Y-%m-%d %H:%M:%S")
def us_dt(s):       # Salesforce report en_US, user's zone New York: 3/15/2024 2:30 PM
    t = T(s).astimezone(NY)
    return f"{t.month}/{t.day}/{t.year} {t.strftime('%I').lstrip('0')}:{t.strftime('%M')} {t.strftime('%p')}"
def us_d(s):        # date only en_US: 3/15/2024
    d = D(s); return f"{d.month}/{d.day}/{d.year}"
def hs_iso(s):      # HubSpot API v3 datetime
    return T(s).strftime("%Y-%m-%dT%H:%M:%S.000Z")
def hs_ui(s):       # HubSpot UI export: portal zone New York, no offset
    return T(s).astimezone(NY).strftime("%Y-%m-%d %H:%M")
def b(x): return "true" if x else "false"

# ---------------------------------------------------------------- LeadHistory rows (file order)
# (lead, field, old, new, at, by)
INTEG = "Marketo Integration"
def hist_rows():
    rows = []
    add = lambda *r: rows.append(r)
    L = LBY
    add("L01", "created", "", "", "2024-01-08 14:05", INTEG)
    add("L01", "Status", "Open - Not Contacted", "Marketing Qualified", L["L01"]["mql"], INTEG)
    add("L01", "Status", "Marketing Qualified", "Working - Contacted", L["L01"]["working"], "Dana Whitfield")
    add("L01", "Status", "Working - Contacted", "Closed - Converted", L["L01"]["converted"], "Dana Whitfield")
    add("L01", "leadConverted", "", "", L["L01"]["converted"], "Dana Whitfield")
    add("L02", "Status", "Open - Not Contacted", "Marketing Qualified", L["L02"]["mql"], INTEG)
    add("L02", "Status", "Marketing Qualified", "Working - Contacted", L["L02"]["working"], "Luis Ortega")
    add("L02", "Status", "Working - Contacted", "Closed - Converted", L["L02"]["converted"], "Luis Ortega")
    add("L03", "Status", "Open - Not Contacted", "Marketing Qualified", L["L03"]["mql"], INTEG)
    add("L04", "Status", "Open - Not Contacted", "Marketing Qualified", L["L04"]["mql"], INTEG)
    add("L04", "Status", "Marketing Qualified", "Working - Contacted", L["L04"]["working"], "Luis Ortega")
    add("L04", "Status", "Working - Contacted", "Closed - Not Converted", L["L04"]["notconv"], "Luis Ortega")
    add("L06", "Owner", "Marketo Integration", "Luis Ortega", "2024-02-01 15:31", INTEG)
    add("L06", "Status", "Open - Not Contacted", "Marketing Qualified", L["L06"]["mql"], INTEG)
    add("L06", "Status", "Marketing Qualified", "Working - Contacted", L["L06"]["working"], "Luis Ortega")
    add("L06", "Status", "Working - Contacted", "Closed - Converted", L["L06"]["converted"], "Luis Ortega")
    add("L07", "Status", "Open - Not Contacted", "Marketing Qualified", L["L07"]["mql"], INTEG)   # deleted with its lead
    add("L08", "Status", "Open - Not Contacted", "Marketing Qualified", L["L08"]["mql"], INTEG)
    add("L09", "Status", "Open - Not Contacted", "Working - Contacted", L["L09"]["working"], "Luis Ortega")
    add("L09", "Status", "Working - Contacted", "Closed - Converted", L["L09"]["converted"], "Luis Ortega")
    add("L10", "Status", "Open - Not Contacted", "Marketing Qualified", L["L10"]["mql"], INTEG)
    add("L10", "Status", "Marketing Qualified", "Working - Contacted", L["L10"]["working"], "Dana Whitfield")
    add("L11", "Status", "Open - Not Contacted", "Marketing Qualified", L["L11"]["mql"], INTEG)
    add("L11", "Status", "Marketing Qualified", "Working - Contacted", L["L11"]["working"], "Luis Ortega")
    add("L11", "Status", "Working - Contacted", "Closed - Converted", L["L11"]["converted"], "Luis Ortega")
    add("L12", "Status", "Open - Not Contacted", "Marketing Qualified", L["L12"]["mql"], INTEG)
    return rows
HIST = hist_rows()

# ---------------------------------------------------------------- Tasks (file order)
# (key, who, at, subtype, type, subject, owner, deleted)   who: lead key, "C:L06" (its converted contact) or "OTHER"
TASKS = [
 ("T01", "L01", "2024-01-09 13:30", "Call", "Call", "Intro call", "Dana Whitfield", False),
 ("T02", "L02", "2024-01-11 15:00", "Call", "Call", "Intro call", "Luis Ortega", False),
 ("T03", "L04", "2024-01-18 16:00", "Call", "Call", "Intro call", "Luis Ortega", False),
 ("T04", "L06", "2024-02-02 10:00", "Email", "Email", "Email: Orbit Fintech pricing", "Luis Ortega", False),
 ("T05", "L08", "2024-02-08 16:00", "Call", "Call", "Inbound call (before MQL)", "Dana Whitfield", False),
 ("T06", "L09", "2024-02-13 09:50", "Call", "Call", "Discovery call", "Luis Ortega", False),
 ("T07", "L10", "2024-02-22 09:00", "Call", "Call", "Intro call", "Dana Whitfield", False),
 ("T08", "L11", "2024-03-05 12:00", "Call", "Call", "Intro call", "Luis Ortega", False),
 ("T09", "C:L06", "2024-03-18 10:00", "Call", "Call", "Upsell call", "Luis Ortega", False),
 ("T10", "OTHER", "2024-03-20 14:00", "Call", "Call", "Renewal check-in", "Dana Whitfield", False),
 ("T11", "L12", "2024-03-26 09:30", "Call", "Call", "Intro call", "Dana Whitfield", True),
]
def task_id(k): return sid("00T", "Tk" + k[1:] + "x")

# ---------------------------------------------------------------- OpportunityContactRole (file order)
# (key, opp, contact: "C:Lxx" | "OTHER" | "OTHER2", primary, role)
OCR = [
 ("R1", "O1", "C:L01", True, "Decision Maker"),
 ("R2", "O2", "C:L02", True, "Decision Maker"),
 ("R3", "O3", "C:L06", True, "Decision Maker"),
 ("R4", "O4", "C:L09", True, "Decision Maker"),
 ("R5", "O5", "C:L11", True, "Decision Maker"),
 ("R6", "O6", "C:L06", True, "Decision Maker"),
 ("R7", "O6", "OTHER2", False, "Economic Buyer"),
 ("R8", "O7", "OTHER", True, "Business User"),
]
def ocr_id(k): return sid("00K", "Cr" + k[1:] + "yz")

def contact_of(who):
    if who == "OTHER": return OTHER_CONTACT
    if who == "OTHER2": return OTHER_CONTACT2
    return LBY[who[2:]]["contact15"]

# ================================================================ writers
def sf_api():
    d = ensure(os.path.join(OUT, "salesforce-api"))
    U = lambda n: to18(USERS[n])
    rows = []
    for l in LEADS:
        rows.append([l["id18"], iso_z(l["created"]), l["source"], l["status"], U(l["owner"]),
                     b(bool(l.get("converted"))), D(l["converted"][:10]).isoformat() if l.get("converted") else "",
                     l.get("opp18", ""), l.get("contact18", ""), l.get("account18", ""), b(l["deleted"]),
                     l["company"], l["industry"], l["emp"], l["country"], l["rating"]])
    write_csv(os.path.join(d, "Lead.csv"),
              ["Id", "CreatedDate", "LeadSource", "Status", "OwnerId", "IsConverted", "ConvertedDate",
               "ConvertedOpportunityId", "ConvertedContactId", "ConvertedAccountId", "IsDeleted",
               "Company", "Industry", "NumberOfEmployees", "Country", "Rating"], rows, quote_all=True)
    rows = []
    for i, (lk, field, old, new, at, by) in enumerate(HIST, 1):
        rows.append([to18(sid("017", f"Hs{i:02d}q")), LBY[lk]["id18"], field, old, new, iso_z(at), U(by),
                     b(LBY[lk]["deleted"])])
    write_csv(os.path.join(d, "LeadHistory.csv"),
              ["Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "CreatedById", "IsDeleted"], rows, quote_all=True)
    rows = []
    for k, who, at, sub, typ, subj, owner, deleted in TASKS:
        if who.startswith("L"): whoid = LBY[who]["id18"]; what = ""
        elif who.startswith("C:"): whoid = LBY[who[2:]]["contact18"]; what = OBY["O6"]["id18"]
        else: whoid = to18(OTHER_CONTACT); what = OBY["O7"]["id18"]
        rows.append([to18(task_id(k)), whoid, what, U(owner), iso_z(at), at[:10], sub, typ, "Completed", subj, b(deleted)])
    write_csv(os.path.join(d, "Task.csv"),
              ["Id", "WhoId", "WhatId", "OwnerId", "CreatedDate", "ActivityDate", "TaskSubtype", "Type", "Status", "Subject", "IsDeleted"], rows, quote_all=True)
    rows = []
    for o in OPPS:
        acct = LBY[o["lead"]]["account18"] if o["lead"] else (LBY["L06"]["account18"] if o["k"] == "O6" else to18(RENEWAL_ACCOUNT))
        camp = to18(sid("701", "CmWeb")) if o["k"] in ("O1", "O3") else ""
        fc = "Closed" if o["stage"] == "Closed Won" else ("Omitted" if o["stage"] == "Closed Lost" else "Pipeline")
        src = LBY[o["lead"]]["source"] if o["lead"] else ""
        rows.append([o["id18"], acct, iso_z(o["created"]), o["close"], o["stage"], f"{o['amount']:.2f}", U(o["owner"]),
                     b(is_won(o["stage"])), b(is_closed(o["stage"])), src, camp, o["type"], fc, b(o["deleted"]), o["reason"]])
    write_csv(os.path.join(d, "Opportunity.csv"),
              ["Id", "AccountId", "CreatedDate", "CloseDate", "StageName", "Amount", "OwnerId", "IsWon", "IsClosed",
               "LeadSource", "CampaignId", "Type", "ForecastCategoryName", "IsDeleted", "Loss_Reason__c"], rows, quote_all=True)
    rows = []
    for k, opp, who, prim, role in OCR:
        rows.append([to18(ocr_id(k)), OBY[opp]["id18"], to18(contact_of(who)), b(prim), role, "false"])
    write_csv(os.path.join(d, "OpportunityContactRole.csv"),
              ["Id", "OpportunityId", "ContactId", "IsPrimary", "Role", "IsDeleted"], rows, quote_all=True)

def sf_snake():
    d = ensure(os.path.join(OUT, "salesforce-snake"))
    U = lambda n: to18(USERS[n])
    synced = "2024-03-29 02:00:00"
    rows = []
    for l in LEADS:
        rows.append([l["id18"], naive(l["created"]), l["source"], l["status"], U(l["owner"]),
                     b(bool(l.get("converted"))), l["converted"][:10] if l.get("converted") else "",
                     l.get("opp18", ""), l.get("contact18", ""), l.get("account18", ""), "false",
                     l["company"], l["industry"], l["emp"], l["country"], l["rating"], synced, b(l["deleted"])])
    write_csv(os.path.join(d, "lead.csv"),
              ["id", "created_date", "lead_source", "status", "owner_id", "is_converted", "converted_date",
               "converted_opportunity_id", "converted_contact_id", "converted_account_id", "is_deleted",
               "company", "industry", "number_of_employees", "country", "rating", "_fivetran_synced", "_fivetran_deleted"], rows)
    rows = []
    for i, (lk, field, old, new, at, by) in enumerate(HIST, 1):
        # a deleted lead's history: Salesforce moves it to the recycle bin with the lead (is_deleted true)
        rows.append([to18(sid("017", f"Hs{i:02d}q")), LBY[lk]["id18"], field, old, new, naive(at), U(by),
                     b(LBY[lk]["deleted"]), synced, b(LBY[lk]["deleted"])])
    write_csv(os.path.join(d, "lead_history.csv"),
              ["id", "lead_id", "field", "old_value", "new_value", "created_date", "created_by_id", "is_deleted",
               "_fivetran_synced", "_fivetran_deleted"], rows)
    rows = []
    for k, who, at, sub, typ, subj, owner, deleted in TASKS:
        if who.startswith("L"): whoid = LBY[who]["id18"]; what = ""
        elif who.startswith("C:"): whoid = LBY[who[2:]]["contact18"]; what = OBY["O6"]["id18"]
        else: whoid = to18(OTHER_CONTACT); what = OBY["O7"]["id18"]
        rows.append([to18(task_id(k)), whoid, what, U(owner), naive(at), at[:10], sub, typ, "Completed", subj, b(deleted), synced, "false"])
    write_csv(os.path.join(d, "task.csv"),
              ["id", "who_id", "what_id", "owner_id", "created_date", "activity_date", "task_subtype", "type", "status",
               "subject", "is_deleted", "_fivetran_synced", "_fivetran_deleted"], rows)
    # opportunity in HISTORY MODE: one row per version
    H = ["_fivetran_active", "_fivetran_start", "_fivetran_end", "_fivetran_synced", "id", "account_id", "created_date",
         "close_date", "stage_name", "amount", "owner_id", "is_won", "is_closed", "lead_source", "type",
         "forecast_category_name", "is_deleted", "loss_reason_c"]
    END = "9999-12-31 23:59:59"
    rows = []
    def ver(o, active, start, end, stage=None, close=None, amount=None, deleted=None):
        stage = stage or o["stage"]; close = close or o["close"]; amount = o["amount"] if amount is None else amount
        deleted = o["deleted"] if deleted is None else deleted
        acct = LBY[o["lead"]]["account18"] if o["lead"] else (LBY["L06"]["account18"] if o["k"] == "O6" else to18(RENEWAL_ACCOUNT))
        src = LBY[o["lead"]]["source"] if o["lead"] else ""
        fc = "Closed" if stage == "Closed Won" else ("Omitted" if stage == "Closed Lost" else "Pipeline")
        rows.append([b(active), start, end, synced, o["id18"], acct, naive(o["created"]), close, stage, f"{amount:.2f}",
                     U(o["owner"]), b(is_won(stage)), b(is_closed(stage)), src, o["type"], fc, b(deleted),
                     o["reason"] if is_closed(stage) else ""])
    O = OBY
    ver(O["O1"], False, "2024-01-22 16:00:05.000", "2024-02-20 09:12:44.999", stage="Negotiation/Review", close="2024-02-29", amount=22000)
    ver(O["O1"], True, "2024-02-20 09:12:45.000", END)
    ver(O["O2"], True, "2024-02-28 17:02:10.000", END)
    ver(O["O3"], False, "2024-02-14 14:00:05.000", "2024-03-15 10:40:00.999", stage="Negotiation/Review", close="2024-03-31", amount=28000)
    ver(O["O3"], True, "2024-03-15 10:40:01.000", END)
    ver(O["O4"], True, "2024-03-01 08:15:00.000", END)
    ver(O["O5"], True, "2024-03-12 11:00:05.000", END)
    ver(O["O6"], True, "2024-03-18 09:00:05.000", END)
    ver(O["O7"], True, "2024-03-28 16:30:00.000", END)
    ver(O["O8"], False, "2024-02-10 12:00:00.000", "2024-02-26 08:00:00.999", deleted=False)
    ver(O["O8"], True, "2024-02-26 08:00:01.000", END, deleted=True)
    write_csv(os.path.join(d, "opportunity.csv"), H, rows)
    rows = []
    for k, opp, who, prim, role in OCR:
        rows.append([to18(ocr_id(k)), OBY[opp]["id18"], to18(contact_of(who)), b(prim), role, "false", synced, "false"])
    write_csv(os.path.join(d, "opportunity_contact_role.csv"),
              ["id", "opportunity_id", "contact_id", "is_primary", "role", "is_deleted", "_fivetran_synced", "_fivetran_deleted"], rows)

def sf_report():
    d = ensure(os.path.join(OUT, "salesforce-report"))
    rows = []
    for l in LEADS:
        if l["deleted"]:
            continue            # reports never show records in the recycle bin
        camps = {"L01": ["January Webinar"], "L04": ["January Webinar", "February Newsletter"], "L06": ["January Webinar"]}.get(l["k"], [""])
        for c in camps:         # a "Leads with Campaign History" report repeats a lead per campaign
            rows.append([l["id15"], l["owner"], l["company"], l["source"], l["status"], us_dt(l["created"]),
                         "1" if l.get("converted") else "0", us_d(l["converted"][:10]) if l.get("converted") else "",
                         l.get("opp15", ""), l["industry"], l["rating"], l["country"], c])
    write_csv(os.path.join(d, "leads_report.csv"),
              ["Lead ID", "Lead Owner", "Company / Account", "Lead Source", "Lead Status", "Create Date", "Converted",
               "Converted Date", "Converted Opportunity ID", "Industry", "Rating", "Country", "Campaign Name"], rows, quote_all=True)
    rows = []
    label = {"Status": "Lead Status", "created": "Created.", "Owner": "Lead Owner", "leadConverted": "Lead converted"}
    for lk, field, old, new, at, by in HIST:
        if LBY[lk]["deleted"]:
            continue
        rows.append([LBY[lk]["id15"], by, us_dt(at), label[field], old, new])
    write_csv(os.path.join(d, "lead_history_report.csv"),
              ["Lead ID", "Edited By", "Edit Date", "Field / Event", "Old Value", "New Value"], rows, quote_all=True)
    rows = []
    names = {"O1": "Northwind Analytics - Platform", "O2": "Bluebay Logistics - Fleet", "O3": "Orbit Fintech - Core",
             "O4": "Pinnacle Foods - Pilot", "O5": "Arcadia Media - Suite", "O6": "Orbit Fintech - Upsell",
             "O7": "Harbor Insurance - Renewal 2024", "O8": "Duplicate deal"}
    for o in OPPS:
        if o["deleted"]:
            continue
        acct = LBY[o["lead"]]["company"] if o["lead"] else ("Orbit Fintech" if o["k"] == "O6" else "Harbor Insurance")
        src = LBY[o["lead"]]["source"] if o["lead"] else ""
        rows.append([o["id18"], o["owner"], acct, names[o["k"]], o["type"], src, o["stage"], f"{o['amount']:.2f}",
                     us_dt(o["created"]), us_d(o["close"]), o["reason"]])
    write_csv(os.path.join(d, "opportunities_report.csv"),
              ["Opportunity ID", "Opportunity Owner", "Account Name", "Opportunity Name", "Type", "Lead Source", "Stage",
               "Amount", "Created Date", "Close Date", "Loss Reason"], rows, quote_all=True)

# ---------------------------------------------------------------- HubSpot story
HS_OWNERS = {"Dana Whitfield": "41209876", "Luis Ortega": "41209877", None: ""}
# contacts: lifecycle stage entry times (v2 = hs_v2_date_entered_*, legacy = hs_lifecyclestage_*_date)
C = [
 dict(k="C01", id=257,  created="2024-01-08 14:05", src="ORGANIC_SEARCH", src1="google", owner="Dana Whitfield", stage="customer", lead_status="",
      v2=dict(lead="2024-01-08 14:05", marketingqualifiedlead="2024-01-09 10:00", salesqualifiedlead="2024-01-15 12:00", opportunity="2024-01-22 16:00", customer="2024-02-20 10:30"), legacy="same"),
 dict(k="C02", id=301,  created="2024-01-10 09:12", src="PAID_SEARCH", src1="google ads", owner="Luis Ortega", stage="opportunity", lead_status="OPEN_DEAL",
      v2=dict(lead="2024-01-10 09:12", marketingqualifiedlead="2024-01-10 11:00", salesqualifiedlead="2024-01-16 10:00", opportunity="2024-01-25 11:20"), legacy="same"),
 # only the legacy date columns (v2 empty): imported from an older portal
 dict(k="C03", id=412,  created="2024-01-15 08:40", src="REFERRALS", src1="partner.example.com", owner="Dana Whitfield", stage="marketingqualifiedlead", lead_status="NEW",
      v2=dict(), legacy=dict(lead="2024-01-15 08:40", marketingqualifiedlead="2024-01-16 09:00")),
 # second contact on deal D1 (same company as C01); lifecycle synced to opportunity/customer by the deal
 dict(k="C04", id=1479, created="2024-01-18 13:20", src="ORGANIC_SEARCH", src1="bing", owner="Luis Ortega", stage="customer", lead_status="",
      v2=dict(lead="2024-01-18 13:20", marketingqualifiedlead="2024-01-18 15:00", opportunity="2024-01-22 16:05", customer="2024-02-20 10:30"), legacy="same"),
 dict(k="C05", id=1502, created="2024-01-22 10:00", src="OFFLINE", src1="IMPORT", owner="Dana Whitfield", stage="lead", lead_status="",
      v2=dict(lead="2024-01-22 10:00"), legacy="same"),
 dict(k="C06", id=1610, created="2024-02-01 15:30", src="ORGANIC_SEARCH", src1="google", owner="Luis Ortega", stage="customer", lead_status="",
      v2=dict(lead="2024-02-01 15:30", marketingqualifiedlead="2024-02-02 09:30", salesqualifiedlead="2024-02-10 11:00", opportunity="2024-02-14 14:00", customer="2024-03-15 16:45"), legacy="same"),
 dict(k="C07", id=1688, created="2024-02-05 12:00", src="DIRECT_TRAFFIC", src1="", owner="Dana Whitfield", stage="marketingqualifiedlead", lead_status="NEW",
      v2=dict(lead="2024-02-05 12:00", marketingqualifiedlead="2024-02-06 09:00"), legacy="same", archived=True),
 # MQL routed to nobody: no owner
 dict(k="C08", id=1720, created="2024-02-08 11:15", src="PAID_SEARCH", src1="google ads", owner=None, stage="marketingqualifiedlead", lead_status="NEW",
      v2=dict(lead="2024-02-08 11:15", marketingqualifiedlead="2024-02-09 11:00"), legacy="same"),
 # sales-sourced: no MQL date, SQL first
 dict(k="C09", id=1795, created="2024-02-12 09:45", src="DIRECT_TRAFFIC", src1="", owner="Luis Ortega", stage="opportunity", lead_status="OPEN_DEAL",
      v2=dict(lead="2024-02-12 09:45", salesqualifiedlead="2024-02-20 15:30", opportunity="2024-02-20 15:35"), legacy="same"),
 # v2 and legacy disagree: legacy was reset and re-set later; v2 is used
 dict(k="C10", id=1853, created="2024-02-20 16:00", src="REFERRALS", src1="partner.example.com", owner="Dana Whitfield", stage="marketingqualifiedlead", lead_status="IN_PROGRESS",
      v2=dict(lead="2024-02-20 16:00", marketingqualifiedlead="2024-02-21 10:00"), legacy=dict(lead="2024-02-20 16:00", marketingqualifiedlead="2024-02-23 14:00")),
 dict(k="C11", id=1921, created="2024-03-04 14:00", src="ORGANIC_SEARCH", src1="google", owner="Luis Ortega", stage="opportunity", lead_status="OPEN_DEAL",
      v2=dict(lead="2024-03-04 14:00", marketingqualifiedlead="2024-03-05 10:00", salesqualifiedlead="2024-03-08 09:00", opportunity="2024-03-12 11:00"), legacy="same"),
 dict(k="C12", id=2004, created="2024-03-11 10:30", src="PAID_SEARCH", src1="google ads", owner="Dana Whitfield", stage="marketingqualifiedlead", lead_status="NEW",
      v2=dict(lead="2024-03-11 10:30", marketingqualifiedlead="2024-03-25 09:00"), legacy="same"),
 dict(k="C13", id=2110, created="2024-03-28 17:45", src="ORGANIC_SEARCH", src1="google", owner="Luis Ortega", stage="lead", lead_status="",
      v2=dict(lead="2024-03-28 17:45"), legacy="same"),
]
for c in C:
    c.setdefault("archived", False)
    if c["legacy"] == "same":
        c["legacy"] = dict(c["v2"])
CBY = {c["k"]: c for c in C}
STAGES = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
LABEL = {"subscriber": "Subscriber", "lead": "Lead", "marketingqualifiedlead": "Marketing Qualified Lead",
         "salesqualifiedlead": "Sales Qualified Lead", "opportunity": "Opportunity", "customer": "Customer"}
LEGACY_LABEL = {"lead": "Became a Lead Date", "marketingqualifiedlead": "Became a Marketing Qualified Lead Date",
                "salesqualifiedlead": "Became a Sales Qualified Lead Date", "opportunity": "Became an Opportunity Date",
                "customer": "Became a Customer Date"}
SRC_LABEL = {"ORGANIC_SEARCH": "Organic Search", "PAID_SEARCH": "Paid Search", "REFERRALS": "Referrals",
             "OFFLINE": "Offline Sources", "DIRECT_TRAFFIC": "Direct Traffic"}
LS_LABEL = {"NEW": "New", "OPEN_DEAL": "Open Deal", "IN_PROGRESS": "In Progress", "": ""}

DSTAGE_LABEL = {"appointmentscheduled": "Appointment Scheduled", "qualifiedtobuy": "Qualified To Buy",
                "presentationscheduled": "Presentation Scheduled", "decisionmakerboughtin": "Decision Maker Bought-In",
                "contractsent": "Contract Sent", "closedwon": "Closed Won", "closedlost": "Closed Lost"}
DEALS = [
 dict(k="D1", id=15500101, name="Northwind Analytics - Platform", created="2024-01-22 16:00", close="2024-02-20 10:30", stage="closedwon", pipeline="default", amount=24000, owner="Dana Whitfield", reason="", contacts=["C04", "C01"]),
 dict(k="D2", id=15500102, name="Bluebay Logistics - Fleet", created="2024-01-25 11:20", close="2024-02-28 17:00", stage="closedlost", pipeline="default", amount=18000, owner="Luis Ortega", reason="Price", contacts=["C02"]),
 dict(k="D3", id=15500103, name="Orbit Fintech - Core", created="2024-02-14 14:00", close="2024-03-15 16:45", stage="closedwon", pipeline="default", amount=30000, owner="Luis Ortega", reason="", contacts=["C06"]),
 # closes 2024-03-01 01:30 in New York (06:30 UTC): March in every zone, February if a New York wall time were read as UTC
 dict(k="D4", id=15500104, name="Pinnacle Foods - Pilot", created="2024-02-20 15:35", close="2024-03-01 06:30", stage="closedlost", pipeline="default", amount=12000, owner="Luis Ortega", reason="No decision", contacts=["C09"]),
 # open; close date before create date (stale forecast)
 dict(k="D5", id=15500105, name="Arcadia Media - Suite", created="2024-03-12 11:00", close="2024-03-08 12:00", stage="qualifiedtobuy", pipeline="default", amount=15000, owner="Luis Ortega", reason="", contacts=["C11"]),
 # open; close date in the future
 dict(k="D6", id=15500106, name="Orbit Fintech - Upsell", created="2024-03-18 09:00", close="2024-05-31 12:00", stage="presentationscheduled", pipeline="default", amount=20000, owner="Luis Ortega", reason="", contacts=["C06"]),
 # custom pipeline "Renewals" (id 12345678): numeric stage id 98765432 = its closed-won stage; no contact
 dict(k="D7", id=15500107, name="Harbor Insurance - Renewal 2024", created="2024-03-04 10:00", close="2024-03-28 12:00", stage="98765432", pipeline="12345678", amount=8000, owner="Dana Whitfield", reason="", contacts=[], won=True, closed=True),
 dict(k="D8", id=15500108, name="Duplicate deal", created="2024-02-01 10:00", close="2024-02-10 12:00", stage="closedwon", pipeline="default", amount=5000, owner="Dana Whitfield", reason="", contacts=["C02"], archived=True),
]
for dd in DEALS:
    dd.setdefault("archived", False)
    dd.setdefault("won", dd["stage"] == "closedwon")
    dd.setdefault("closed", dd["stage"] in ("closedwon", "closedlost"))
DBY = {x["k"]: x for x in DEALS}

NAMES = {"C01": ("Ava", "Chen", "Northwind Analytics"), "C02": ("Ben", "Okafor", "Bluebay Logistics"),
         "C03": ("Chloe", "Martin", "Helix Biotech"), "C04": ("Dev", "Patel", "Northwind Analytics"),
         "C05": ("Eli", "Brooks", "Vega Retail"), "C06": ("Fatima", "Khan", "Orbit Fintech"),
         "C07": ("Test", "Test", "Test Test Ltd"), "C08": ("Grace", "Lee", "Cedar Health"),
         "C09": ("Hugo", "Silva", "Pinnacle Foods"), "C10": ("Iris", "Novak", "Summit Legal"),
         "C11": ("Jon", "Berg", "Arcadia Media"), "C12": ("Kim", "Ito", "Arcadia Medical"),
         "C13": ("Leo", "Rossi", "Tidewater Energy")}

def hs_contact_row(c, fmt):
    v2 = [fmt(c["v2"][s]) if s in c["v2"] else "" for s in STAGES]
    lg = [fmt(c["legacy"][s]) if s in c["legacy"] else "" for s in STAGES]
    return v2, lg

def hs_api():
    d = ensure(os.path.join(OUT, "hubspot-api"))
    H = (["hs_object_id", "createdate", "firstname", "lastname", "company", "lifecyclestage", "hs_lead_status",
          "hubspot_owner_id", "hs_analytics_source", "hs_analytics_source_data_1"]
         + [f"hs_v2_date_entered_{s}" for s in STAGES] + [f"hs_lifecyclestage_{s}_date" for s in STAGES] + ["archived"])
    rows = []
    for c in C:
        v2, lg = hs_contact_row(c, hs_iso)
        fn, ln, co = NAMES[c["k"]]
        rows.append([c["id"], hs_iso(c["created"]), fn, ln, co, c["stage"], c["lead_status"], HS_OWNERS[c["owner"]],
                     c["src"], c["src1"]] + v2 + lg + [b(c["archived"])])
    write_csv(os.path.join(d, "contacts.csv"), H, rows)
    rows = []
    for x in DEALS:
        rows.append([x["id"], x["name"], hs_iso(x["created"]), hs_iso(x["close"]), x["stage"], x["pipeline"], x["amount"],
                     HS_OWNERS[x["owner"]], x["reason"], b(x["won"]), b(x["closed"]), b(x["archived"])])
    write_csv(os.path.join(d, "deals.csv"),
              ["hs_object_id", "dealname", "createdate", "closedate", "dealstage", "pipeline", "amount", "hubspot_owner_id",
               "closed_lost_reason", "hs_is_closed_won", "hs_is_closed", "archived"], rows)
    rows = []
    for x in DEALS:
        for ck in x["contacts"]:
            rows.append([x["id"], CBY[ck]["id"], "HUBSPOT_DEFINED", 3])
    write_csv(os.path.join(d, "deal_contact_associations.csv"),
              ["fromObjectId", "toObjectId", "associationCategory", "associationTypeId"], rows)

def hs_property():
    d = ensure(os.path.join(OUT, "hubspot-property"))
    synced = "2024-03-29 02:00:00"
    H = (["_fivetran_deleted", "_fivetran_synced", "id", "property_createdate", "property_firstname", "property_lastname",
          "property_company", "property_lifecyclestage", "property_hs_lead_status", "property_hubspot_owner_id",
          "property_hs_analytics_source", "property_hs_analytics_source_data_1"]
         + [f"property_hs_v2_date_entered_{s}" for s in STAGES] + [f"property_hs_lifecyclestage_{s}_date" for s in STAGES])
    rows = []
    for c in C:
        v2, lg = hs_contact_row(c, naive)
        fn, ln, co = NAMES[c["k"]]
        rows.append([b(c["archived"]), synced, c["id"], naive(c["created"]), fn, ln, co, c["stage"], c["lead_status"],
                     HS_OWNERS[c["owner"]], c["src"], c["src1"]] + v2 + lg)
    write_csv(os.path.join(d, "contact.csv"), H, rows)
    rows = []
    for x in DEALS:
        rows.append([x["id"], b(x["archived"]), x["pipeline"], x["stage"], HS_OWNERS[x["owner"]], 4727653, x["name"],
                     x["amount"], naive(x["close"]), naive(x["created"]), x["reason"], synced])
    write_csv(os.path.join(d, "deal.csv"),
              ["deal_id", "is_deleted", "deal_pipeline_id", "deal_pipeline_stage_id", "owner_id", "portal_id",
               "property_dealname", "property_amount", "property_closedate", "property_createdate",
               "property_closed_lost_reason", "_fivetran_synced"], rows)
    rows = []
    for x in DEALS:
        for ck in x["contacts"]:
            rows.append([CBY[ck]["id"], x["id"], synced, 3, "HUBSPOT_DEFINED"])
    write_csv(os.path.join(d, "deal_contact.csv"), ["contact_id", "deal_id", "_fivetran_synced", "type_id", "category"], rows)

def write_hs_ui():
    d = ensure(os.path.join(OUT, "hubspot-ui"))
    H = (["Record ID", "First Name", "Last Name", "Company Name", "Contact owner", "Lifecycle Stage", "Lead Status",
          "Original Traffic Source", "Original Traffic Source Drill-Down 1", "Create Date"]
         + [f'Date entered "{LABEL[s]} (Lifecycle Stage Pipeline)"' for s in STAGES] + [LEGACY_LABEL[s] for s in STAGES])
    rows = []
    for c in C:
        if c["archived"]:
            continue            # the UI never exports deleted (archived) records
        v2, lg = hs_contact_row(c, hs_ui)
        fn, ln, co = NAMES[c["k"]]
        rows.append([c["id"], fn, ln, co, c["owner"] or "", LABEL[c["stage"]], LS_LABEL[c["lead_status"]],
                     SRC_LABEL[c["src"]], c["src1"], hs_ui(c["created"])] + v2 + lg)
    write_csv(os.path.join(d, "all-contacts.csv"), H, rows)
    rows = []
    for x in DEALS:
        if x["archived"]:
            continue
        pipe = "Sales Pipeline" if x["pipeline"] == "default" else "Renewals"
        stage = DSTAGE_LABEL.get(x["stage"], "Closed Won")
        ids = ";".join(str(CBY[k]["id"]) for k in x["contacts"])
        rows.append([x["id"], x["name"], pipe, stage, x["amount"], hs_ui(x["close"]), hs_ui(x["created"]), x["owner"],
                     x["reason"], ids])
    write_csv(os.path.join(d, "all-deals.csv"),
              ["Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner",
               "Closed Lost Reason", "Associated Contact IDs"], rows)

if __name__ == "__main__":
    sf_api(); sf_snake(); sf_report(); hs_api(); hs_property(); write_hs_ui()
    print("written")
