"""Reference figures for the six shapes, from the story, under the rules in NOTES.md.
Run: python3 calc.py  (prints per shape: ledger, per-lead facts, bands/contact/winloss)."""
from datetime import datetime, timedelta, timezone, date
from zoneinfo import ZoneInfo
import statistics
import story as S

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
T = S.T

SF_STAGE = {"Marketing Qualified": "mql", "Working - Contacted": "contacted", "Closed - Converted": "sql",
            "Closed - Not Converted": "disqualified"}
SF_STATUS = {"Closed Won": "won", "Closed Lost": "lost"}

def midnight(d, tz=UTC):
    return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC)

def salesforce(shape):
    """Canonical tables for salesforce-api / salesforce-snake / salesforce-report."""
    report = shape == "report"
    zone = NY if report else UTC
    leads = []
    for l in S.LEADS:
        if report and l["deleted"]:
            continue
        reps = 2 if (report and l["k"] == "L04") else 1
        for _ in range(reps):
            leads.append(dict(k=l["k"], created=T(l["created"]), owner=l["owner"], deleted=l["deleted"], wide={}))
    hand = []
    for lk, field, old, new, at, by in S.HIST:
        if report and S.LBY[lk]["deleted"]:
            continue
        hand.append(dict(lead=lk, field=field, stage=SF_STAGE.get(new) if field == "Status" else None,
                         filtered=(field != "Status"), at=T(at), deleted=S.LBY[lk]["deleted"]))
    acts = []
    if not report:
        for k, who, at, *_r, deleted in S.TASKS:
            lead = who if who.startswith("L") else (who[2:] if who.startswith("C:") else None)  # contact -> lead via ConvertedContactId
            acts.append(dict(lead=lead, at=T(at), deleted=deleted))
    deals = []
    versions = []
    if shape == "snake":   # history mode: (key, active, deleted)
        versions = [("O1", False, False), ("O1", True, False), ("O2", True, False), ("O3", False, False), ("O3", True, False),
                    ("O4", True, False), ("O5", True, False), ("O6", True, False), ("O7", True, False), ("O8", False, False), ("O8", True, True)]
    else:
        versions = [(o["k"], True, o["deleted"]) for o in S.OPPS if not (report and o["deleted"])]
    conv = {l["opp"]: l["k"] for l in S.LEADS if l.get("opp")}
    for k, active, deleted in versions:
        o = S.OBY[k]
        lead = conv.get(k)
        if lead is None and not report:
            # OpportunityContactRole: primary contact's converted lead, else any
            for rk, opp, who, prim, role in S.OCR:
                if opp == k and prim and who.startswith("C:"):
                    lead = who[2:]; break
        st = SF_STATUS.get(o["stage"], "open")
        deals.append(dict(k=k, lead=lead, created=T(o["created"]), closed=midnight(S.D(o["close"]), zone),
                          status=st if active else "old", amount=o["amount"], deleted=deleted, inactive=not active))
    links = []
    if not report:
        for rk, opp, who, prim, role in S.OCR:
            links.append(dict(deal=opp, lead=who[2:] if who.startswith("C:") else None))
    return dict(leads=leads, hand=hand, acts=acts, deals=deals, links=links, zone=zone, owner_rep=True)

HS_WIDE = {"marketingqualifiedlead": "mql", "salesqualifiedlead": "sql", "opportunity": "opportunity", "customer": "won"}

def hubspot(shape):
    ui = shape == "ui"
    zone = NY if ui else UTC
    leads = []
    for c in S.C:
        if ui and c["archived"]:
            continue
        wide = {}
        legacy_used = []
        for s, canon in HS_WIDE.items():
            t = c["v2"].get(s) or c["legacy"].get(s)
            if not c["v2"].get(s) and c["legacy"].get(s):
                legacy_used.append(s)
            if t:
                wide[canon] = T(t)
        leads.append(dict(k=c["k"], created=T(c["created"]), owner=c["owner"], deleted=c["archived"], wide=wide, legacy=legacy_used))
    created = {c["k"]: T(c["created"]) for c in S.C if not c["archived"]}
    deals = []
    links = []
    for x in S.DEALS:
        if ui and x["archived"]:
            continue
        cands = [k for k in x["contacts"] if k in created]
        lead = min(cands, key=lambda k: created[k]) if cands else None
        if shape == "property":    # no hs_is_closed_won column: status from the stage id
            st = {"closedwon": "won", "closedlost": "lost"}.get(x["stage"], "open" if not x["stage"].isdigit() else "INVALID")
        else:
            st = "won" if x["won"] else ("lost" if x["closed"] else "open")
        deals.append(dict(k=x["k"], lead=lead, created=T(x["created"]), closed=T(x["close"]), status=st,
                          amount=x["amount"], deleted=x["archived"], inactive=False))
        if not ui:
            for ck in x["contacts"]:
                links.append(dict(deal=x["k"], lead=ck, deal_deleted=x["archived"]))
    return dict(leads=leads, hand=[], acts=[], deals=deals, links=links, zone=zone, owner_rep=True)

def run(name, D):
    print(f"\n######## {name}")
    # ---- ledger
    used_leads, seen = [], set()
    lead_reason = []
    for l in D["leads"]:
        if l["deleted"]: lead_reason.append("deleted")
        elif l["k"] in seen: lead_reason.append("duplicate_key")
        else: lead_reason.append(None); seen.add(l["k"]); used_leads.append(l)
    L = {l["k"]: l for l in used_leads}
    def tally(rs):
        out = {}
        for r in rs: out[r or "used"] = out.get(r or "used", 0) + 1
        return out
    print("leads", len(D["leads"]), tally(lead_reason))
    hr = []
    used_h = []
    for h in D["hand"]:
        if h["deleted"]: r = "deleted"
        elif h["filtered"]: r = "filtered_out"
        elif h["stage"] is None: r = "unknown_stage"
        elif h["lead"] not in L: r = "unknown_lead"
        elif h["at"] < L[h["lead"]]["created"]: r = "stage_before_created"
        else: r = None; used_h.append(h)
        hr.append(r)
    if D["hand"]: print("handoffs", len(D["hand"]), tally(hr))
    ar, used_a = [], []
    for a in D["acts"]:
        if a["deleted"]: r = "deleted"
        elif a["lead"] is None or a["lead"] not in L: r = "unknown_lead"
        else: r = None; used_a.append(a)
        ar.append(r)
    if D["acts"]: print("activities", len(D["acts"]), tally(ar))
    dr, used_d, seen_d = [], [], set()
    for x in D["deals"]:
        if x["deleted"]: r = "deleted"
        elif x["inactive"]: r = "inactive_version"
        elif x["status"] == "INVALID": r = "invalid_status"
        elif x["status"] != "open" and x["closed"] < x["created"]: r = "closed_before_created"
        elif x["lead"] is not None and x["lead"] not in L: r = "unknown_lead"
        elif x["lead"] is not None and (x["created"] < L[x["lead"]]["created"] or (x["status"] != "open" and x["closed"] < L[x["lead"]]["created"])): r = "stage_before_created"
        elif x["k"] in seen_d: r = "duplicate_key"
        else: r = None; used_d.append(x); seen_d.add(x["k"])
        dr.append(r)
    print("deals", len(D["deals"]), tally(dr), "unlinked used:", [x["k"] for x in used_d if x["lead"] is None])
    if D["links"]:
        lr = []
        for ln in D["links"]:
            if ln.get("deal_deleted"): r = "unknown_deal"
            elif ln["lead"] is None or ln["lead"] not in L: r = "unknown_lead"
            else: r = None
            lr.append(r)
        print("deal_leads", len(D["links"]), tally(lr))
    # ---- as_of
    times = [l["created"] for l in used_leads] + [h["at"] for h in used_h] + [a["at"] for a in used_a]
    times += [x["created"] for x in used_d] + [x["closed"] for x in used_d if x["status"] != "open"]
    latest = max(times)
    wide_times = [t for l in used_leads for t in l["wide"].values()]
    if wide_times and max(wide_times) > latest: print("NOTE: a wide stage time is later than the canonical latest")
    eod = (latest.astimezone(D["zone"]).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(UTC)
    print("latest timestamp", latest.isoformat(), " end of that day in zone:", eod.isoformat())
    # ---- per lead
    facts = {}
    for l in used_leads:
        k = l["k"]
        ev = {}
        for h in used_h:
            if h["lead"] == k: ev.setdefault(h["stage"], []).append(h["at"])
        for st, t in l["wide"].items(): ev.setdefault(st, []).append(t)
        ds = [x for x in used_d if x["lead"] == k]
        rec = {s: min(ev[s]) if s in ev else None for s in ("mql", "sql", "opportunity", "won", "contacted")}
        opp = min([t for t in [rec["opportunity"]] + [x["created"] for x in ds] if t], default=None)
        won = min([t for t in [rec["won"]] + [x["closed"] for x in ds if x["status"] == "won"] if t], default=None)
        sqlt = min([t for t in (rec["sql"], opp, won) if t], default=None)
        mqlt = min([t for t in (rec["mql"], sqlt) if t], default=None)
        contacts = [t for t in ev.get("contacted", [])] + [a["at"] for a in used_a if a["lead"] == k]
        after = [t for t in contacts if mqlt and t >= mqlt]
        ct = min(after) if after else None
        rev = sum(x["amount"] for x in ds if x["status"] == "won")
        facts[k] = dict(mql=mqlt, sql=sqlt, opp=opp, won=won, contacted=ct, rev=rev, rep=l["owner"] or "(none)",
                        deals=[x["k"] for x in ds], legacy=l.get("legacy"))
    print(f"{'lead':5} {'rep':15} {'mql_at':17} {'contact':17} {'hours':>6} {'sql':>3} {'opp':>3} {'won':>3} {'rev':>6} deals")
    for k, f in facts.items():
        fm = lambda t: t.strftime("%m-%d %H:%M") if t else "-"
        hours = (f["contacted"] - f["mql"]).total_seconds() / 3600 if f["contacted"] else None
        print(f"{k:5} {f['rep']:15} {fm(f['mql']):17} {fm(f['contacted']):17} {'' if hours is None else round(hours,2):>6} "
              f"{'y' if f['sql'] else '':>3} {'y' if f['opp'] else '':>3} {'y' if f['won'] else '':>3} {f['rev']:>6} {f['deals']} {f['legacy'] or ''}")
    n = len(facts)
    mql = sum(1 for f in facts.values() if f["mql"])
    sql = sum(1 for f in facts.values() if f["sql"])
    opp = sum(1 for f in facts.values() if f["opp"])
    won = sum(1 for f in facts.values() if f["won"])
    con = sum(1 for f in facts.values() if f["contacted"])
    rev = sum(f["rev"] for f in facts.values() if f["won"])
    print(f"BANDS all/unscored: leads {n} mql {mql} contacted {con} sql {sql} opportunity {opp} won {won} revenue {rev}")
    for label, asof in (("as_of=latest", latest), ("as_of=end of day", eod)):
        groups = {}
        for f in facts.values():
            if not f["mql"]: continue
            g = groups.setdefault(f["rep"], [])
            g.append(f)
        def agg(fs):
            age = lambda f: (asof - f["mql"]).total_seconds() / 3600
            mature = [f for f in fs if age(f) >= 24]
            hrs = sorted((f["contacted"] - f["mql"]).total_seconds() / 3600 for f in fs if f["contacted"])
            within = sum(1 for f in mature if f["contacted"] and (f["contacted"] - f["mql"]).total_seconds() / 3600 <= 24)
            bh = sum(1 for f in fs if not f["contacted"] and age(f) > 30 * 24)
            med = statistics.median(hrs) if hrs else None
            return dict(mql=len(fs), mature=len(mature), contacted=len(hrs), within=within, never=len(fs) - len(hrs), black_hole=bh,
                        median=med, sql=sum(1 for f in fs if f["sql"]))
        allf = [f for f in facts.values() if f["mql"]]
        print(f"CONTACT ({label}): all {agg(allf)}")
        for rep, fs in sorted(groups.items()):
            print(f"   {rep}: {agg(fs)}")
    # ---- winloss
    months = {}
    for x in used_d:
        if x["status"] in ("won", "lost"):
            m = x["closed"].astimezone(D["zone"]).strftime("%Y-%m")
            r = months.setdefault(m, dict(won=0, lost=0, revenue=0, deals=[]))
            r[x["status"]] += 1; r["deals"].append(x["k"])
            if x["status"] == "won": r["revenue"] += x["amount"]
    for m in sorted(months): print("WINLOSS", m, months[m])

if __name__ == "__main__":
    run("salesforce-api", salesforce("api"))
    run("salesforce-snake", salesforce("snake"))
    run("salesforce-report", salesforce("report"))
    run("hubspot-api", hubspot("api"))
    run("hubspot-property", hubspot("property"))
    run("hubspot-ui", hubspot("ui"))
