//! Six hand-made exports in the vendors' real shapes (tests/real-data/vendors),
//! each read with `preset` and paths only. Every expected figure is in the
//! folder's NOTES.md, worked by hand, and re-derived from the story by
//! `tests/real-data/vendors/tools/calc.py` (an independent Python
//! implementation of the rules).

use super::*;

fn config(shape: &str) -> PathBuf {
    repo()
        .join("tests/real-data/vendors")
        .join(shape)
        .join("leadloop.toml")
}

/// (table, read, used, [(reason, rows)]) per table, as NOTES.md's "validate".
type Ledger = &'static [(&'static str, u64, u64, &'static [(&'static str, u64)])];

fn assert_ledger(shape: &str, expected: Ledger) {
    let v = analysis_json(&config(shape), "validate", &[]);
    let tables = rows(&v, "validate");
    assert_eq!(tables.len(), expected.len(), "{shape}: {tables:?}");
    for (table, read, used, reasons) in expected {
        let t = tables
            .iter()
            .find(|t| t["table"] == *table)
            .unwrap_or_else(|| panic!("{shape}: no {table}"));
        assert_eq!(
            (t["read"].as_u64(), t["used"].as_u64()),
            (Some(*read), Some(*used)),
            "{shape} {table}"
        );
        let mut got: Vec<(String, u64)> = rows(&v, "reasons")
            .iter()
            .filter(|r| r["table"] == *table)
            .map(|r| {
                (
                    r["reason"].as_str().unwrap().to_string(),
                    r["rows"].as_u64().unwrap(),
                )
            })
            .collect();
        got.sort();
        let mut want: Vec<(String, u64)> =
            reasons.iter().map(|(r, n)| (r.to_string(), *n)).collect();
        want.sort();
        assert_eq!(got, want, "{shape} {table}");
    }
}

/// bands' `all` row: leads, mql, contacted (null without any contact
/// record), sql, opportunity, won, revenue.
fn assert_bands(shape: &str, want: (u64, u64, Option<u64>, u64, u64, u64, f64)) {
    let v = analysis_json(&config(shape), "bands", &[]);
    let all = rows(&v, "bands")
        .iter()
        .find(|r| r["band"] == "all")
        .unwrap();
    let c = |k: &str| all[k].as_u64().unwrap();
    assert_eq!(
        (
            c("leads"),
            c("mql"),
            all["contacted"].as_u64(),
            c("sql"),
            c("opportunity"),
            c("won"),
            all["revenue"].as_f64().unwrap()
        ),
        want,
        "{shape}"
    );
}

/// winloss per month: (month, won, lost, revenue).
fn assert_winloss(shape: &str, want: &[(&str, u64, u64, f64)]) {
    let v = analysis_json(&config(shape), "winloss", &[]);
    let got: Vec<(String, u64, u64, f64)> = rows(&v, "winloss")
        .iter()
        .map(|r| {
            (
                r["month"].as_str().unwrap().to_string(),
                r["won"].as_u64().unwrap(),
                r["lost"].as_u64().unwrap(),
                r["revenue"].as_f64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64, f64)> = want
        .iter()
        .map(|(m, w, l, r)| (m.to_string(), *w, *l, *r))
        .collect();
    assert_eq!(got, want, "{shape}");
}

/// contact per rep: (group, mql, contacted, within SLA, never, black hole,
/// median hours to first contact).
fn assert_contact(shape: &str, want: &[(&str, u64, u64, u64, u64, u64, f64)]) {
    let v = analysis_json(&config(shape), "contact", &[]);
    let got = rows(&v, "contact");
    assert_eq!(got.len(), want.len(), "{shape}: {got:?}");
    for (r, (group, mql, contacted, within, never, black_hole, median)) in got.iter().zip(want) {
        let c = |k: &str| r[k].as_u64().unwrap();
        assert_eq!(
            (
                r["group"].as_str().unwrap(),
                c("mql"),
                c("mature_mql"),
                c("contacted"),
                c("contacted_within_sla"),
                c("never_contacted"),
                c("black_hole"),
            ),
            (*group, *mql, *mql, *contacted, *within, *never, *black_hole),
            "{shape}"
        );
        let m = r["median_hours_to_contact"].as_f64().unwrap();
        assert!(
            (m - median).abs() < 1e-9,
            "{shape} {group}: {m} vs {median}"
        );
    }
}

const SALESFORCE_WINLOSS: &[(&str, u64, u64, f64)] =
    &[("2024-02", 1, 1, 24000.0), ("2024-03", 2, 1, 38000.0)];
const SALESFORCE_BANDS: (u64, u64, Option<u64>, u64, u64, u64, f64) =
    (12, 10, Some(6), 5, 5, 2, 54000.0);

#[test]
fn salesforce_api_export_reads_with_the_preset_alone() {
    let shape = "salesforce-api";
    // Task row 9 names L06's converted contact: matched through the
    // lead's ConvertedContactId (alias); row 10 a contact no lead became.
    assert_ledger(
        shape,
        &[
            ("leads", 13, 12, &[("deleted", 1)]),
            ("handoffs", 26, 22, &[("deleted", 1), ("filtered_out", 3)]),
            ("activities", 11, 9, &[("deleted", 1), ("unknown_lead", 1)]),
            ("deal_leads", 8, 6, &[("unknown_lead", 2)]),
            ("deals", 8, 7, &[("deleted", 1)]),
        ],
    );
    assert_bands(shape, SALESFORCE_BANDS);
    // The rep is the lead's owner, not LeadHistory's integration user.
    assert_contact(
        shape,
        &[
            ("0055g00000DwTfAAAV", 5, 2, 2, 3, 2, 13.25),
            ("0055g00000LoRtGAAV", 5, 4, 3, 1, 1, 1.5),
            ("all", 10, 6, 5, 4, 3, 2.75),
        ],
    );
    assert_winloss(shape, SALESFORCE_WINLOSS);
    // O1–O5 through ConvertedOpportunityId, O6 through its primary contact
    // role (L06's contact), O7 (a renewal) through nothing.
    let v = analysis_json(&config(shape), "validate", &[]);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains(
            "deals: 5 of 7 used deals linked to their lead through leads.converted_deal_id, 1 through deal_leads"
        ),
        "{notes}"
    );
    assert!(!notes.contains("no lead_id column"), "{notes}");
}

#[test]
fn salesforce_snake_case_history_mode_export_reads_with_the_preset_alone() {
    let shape = "salesforce-snake";
    assert_ledger(
        shape,
        &[
            ("leads", 13, 12, &[("deleted", 1)]),
            ("handoffs", 26, 22, &[("deleted", 1), ("filtered_out", 3)]),
            ("activities", 11, 9, &[("deleted", 1), ("unknown_lead", 1)]),
            ("deal_leads", 8, 6, &[("unknown_lead", 2)]),
            ("deals", 11, 7, &[("deleted", 1), ("inactive_version", 3)]),
        ],
    );
    assert_bands(shape, SALESFORCE_BANDS);
    assert_contact(
        shape,
        &[
            ("0055g00000DwTfAAAV", 5, 2, 2, 3, 2, 13.25),
            ("0055g00000LoRtGAAV", 5, 4, 3, 1, 1, 1.5),
            ("all", 10, 6, 5, 4, 3, 2.75),
        ],
    );
    assert_winloss(shape, SALESFORCE_WINLOSS);
}

#[test]
fn salesforce_report_export_with_us_dates_and_15_character_ids() {
    let shape = "salesforce-report";
    // L04 twice in the report (duplicate_key); no deleted rows in a report.
    assert_ledger(
        shape,
        &[
            ("leads", 13, 12, &[("duplicate_key", 1)]),
            ("handoffs", 25, 22, &[("filtered_out", 3)]),
            ("deals", 7, 7, &[]),
        ],
    );
    assert_bands(shape, SALESFORCE_BANDS);
    // Report times are to the minute in New York: hours 3 7/12, 28 1/12, …
    assert_contact(
        shape,
        &[
            (
                "Dana Whitfield",
                5,
                2,
                2,
                3,
                2,
                (3.0 + 35.0 / 60.0 + 23.0 + 10.0 / 60.0) / 2.0,
            ),
            (
                "Luis Ortega",
                5,
                4,
                3,
                1,
                1,
                (70.0 / 60.0 + 125.0 / 60.0) / 2.0,
            ),
            ("all", 10, 6, 5, 4, 3, (125.0 / 60.0 + 215.0 / 60.0) / 2.0),
        ],
    );
    assert_winloss(shape, SALESFORCE_WINLOSS);
}

const HUBSPOT_BANDS: (u64, u64, Option<u64>, u64, u64, u64, f64) = (12, 10, None, 6, 6, 3, 54000.0);

#[test]
fn hubspot_api_export_links_deals_through_the_association_export() {
    let shape = "hubspot-api";
    assert_ledger(
        shape,
        &[
            ("leads", 13, 12, &[("deleted", 1)]),
            ("deal_leads", 8, 7, &[("unknown_deal", 1)]),
            ("deals", 8, 7, &[("deleted", 1)]),
        ],
    );
    // D1 is associated with 1479 and 257: it counts once, for 257 (created
    // first); 1479 is a customer by its lifecycle date, with revenue 0.
    assert_bands(shape, HUBSPOT_BANDS);
    assert_winloss(shape, SALESFORCE_WINLOSS);
    let v = analysis_json(&config(shape), "validate", &[]);
    assert!(
        v["notes"].to_string().contains(
            "deals: 6 of 7 used deals linked to their lead through deal_leads (1 among several leads: the primary, else the earliest created)"
        ),
        "{}",
        v["notes"]
    );
}

#[test]
fn hubspot_property_export_as_fivetran_lands_it() {
    let shape = "hubspot-property";
    // D6's custom-pipeline stage id has no mapping: invalid_status.
    assert_ledger(
        shape,
        &[
            ("leads", 13, 12, &[("deleted", 1)]),
            ("deal_leads", 8, 7, &[("unknown_deal", 1)]),
            ("deals", 8, 6, &[("deleted", 1), ("invalid_status", 1)]),
        ],
    );
    assert_bands(shape, HUBSPOT_BANDS);
    assert_winloss(
        shape,
        &[("2024-02", 1, 1, 24000.0), ("2024-03", 1, 1, 30000.0)],
    );
}

#[test]
fn hubspot_ui_xlsx_export_in_portal_time() {
    let shape = "hubspot-ui";
    assert_ledger(shape, &[("leads", 12, 12, &[]), ("deals", 7, 7, &[])]);
    assert_bands(shape, HUBSPOT_BANDS);
    assert_winloss(shape, SALESFORCE_WINLOSS);
}

/// Lifecycle dates record no contact: `contact` says so (exit 2) rather
/// than reporting every MQL as never contacted.
#[test]
fn hubspot_exports_have_nothing_to_measure_contact_from() {
    for shape in ["hubspot-api", "hubspot-property", "hubspot-ui"] {
        let err = fails_with_2(["--data", config(shape).to_str().unwrap(), "contact"]);
        assert!(
            err.contains(
                "contact: no activities, contacted handoff or timed contacted column records a contact"
            ),
            "{shape}: {err}"
        );
    }
}
