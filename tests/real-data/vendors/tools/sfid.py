"""Salesforce 15 -> 18 character id (CASESAFEID) and a check against known pairs."""
import sys
ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

def suffix(id15):
    out = []
    for chunk in range(3):
        bits = 0
        for j, ch in enumerate(id15[chunk * 5:chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << j  # j-th character of the chunk is bit j (so the chunk is read reversed)
        out.append(ALPHA[bits])
    return "".join(out)

def to18(id15):
    assert len(id15) == 15, id15
    return id15 + suffix(id15)

KNOWN = {  # (source) 15 -> 18
    "00Q1G00000nDnM5": "00Q1G00000nDnM5UAK",   # Fivetran dbt_salesforce_source seed sf_lead_data.csv (lead id)
    "0051G000007F2JG": "0051G000007F2JGQA0",   # same seed, last_modified_by_id
    "0031G00001QtDPl": "0031G00001QtDPlQAN",   # same seed, converted_contact_id
    "0011G00000tLWKn": "0011G00000tLWKnQAO",   # same seed, converted_account_id
    "00537000003tmTn": "00537000003tmTnAAI",   # same seed, owner_id
    "003G000001SUbc4": "003G000001SUbc4IAD",   # salesforce_id gem README
    "00558000001N0Ke": "00558000001N0KeAAK",   # salesforce_id_converter (PyPI) README
    "70130000001tcyI": "70130000001tcyIAAQ",   # salesforce_id_formatter gem README
    "0019000000B98de": "0019000000B98deAAB",   # theblogreaders worked example
    "a0D30000001n7Pi": "a0D30000001n7PiEAI",   # gammone.com worked example
    "a0BA0000000L2ZC": "a0BA0000000L2ZCMA0",   # marz619 gist doctest
    "AAaAAbbBBBCcCCC": "AAaAAbbBBBCcCCC123",   # marz619 gist doctest
}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        for a in sys.argv[1:]:
            print(a, to18(a))
    else:
        for k, v in KNOWN.items():
            got = to18(k)
            print(("ok  " if got == v else "BAD ") + k, got, v)
