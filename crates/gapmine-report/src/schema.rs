//! The JSON Schema of `gapmine report --format json`, written to
//! `docs/schemas/report.schema.json` by `cargo xtask codegen` (a test keeps it fresh, and the
//! CLI's tests check real output against it).

use serde_json::{Value, json};

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn pair(first: &str, second: &str) -> Value {
    json!({ "type": "array", "items": false, "prefixItems": [ { "type": first }, { "type": second } ], "minItems": 2 })
}

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

/// The schema, as a JSON value.
pub fn schema() -> Value {
    let count = json!({ "type": "integer", "minimum": 0 });
    let number = json!({ "type": "number" });
    let string = json!({ "type": "string" });
    let example = object(
        &["id", "title"],
        json!({
            "id": string, "title": string, "url": string, "occurred_at": string,
            "service": string, "team": string
        }),
    );
    let forecast = object(
        &[
            "horizon_days",
            "expected",
            "median",
            "low",
            "high",
            "level",
            "basis",
        ],
        json!({
            "horizon_days": count, "expected": number, "median": count, "low": count,
            "high": count, "level": number,
            "basis": object(
                &["decayed_count", "exposure_days", "prior_count", "prior_days", "daily_rate", "shape"],
                json!({
                    "decayed_count": number, "exposure_days": number, "prior_count": number,
                    "prior_days": number, "daily_rate": number,
                    "burstiness": nullable("number"), "shape": number
                }),
            )
        }),
    );
    let recommendation = object(
        &[
            "intervention",
            "title",
            "resolves",
            "hardens",
            "evidence",
            "score",
            "terms",
        ],
        json!({
            "intervention": string, "title": string, "kind": nullable("string"),
            "effort": nullable("string"), "resolves": string, "hardens": array(string.clone()),
            "verify": nullable("string"),
            "evidence": object(
                &["held", "failed", "pending", "services", "on_gap_services"],
                json!({
                    "held": count, "failed": count, "pending": count,
                    "latest": nullable("string"), "services": array(string.clone()),
                    "on_gap_services": count
                }),
            ),
            "score": number,
            "terms": array(json!({ "type": "array", "minItems": 3 }))
        }),
    );
    let gap = object(
        &[
            "failure_mode",
            "title",
            "occurrences",
            "dated",
            "recent_rate",
            "trend",
            "services",
            "teams",
            "lateness",
            "objectives",
            "score",
            "forecast",
            "per_service",
            "recommendations",
            "uncovered",
            "examples",
        ],
        json!({
            "failure_mode": string, "title": string,
            "layer": { "enum": ["control", "system", null] },
            "caught_by": nullable("string"),
            "occurrences": count, "dated": count, "last_period": count, "recent_rate": number,
            "trend": array(object(&["month", "count"], json!({ "month": string, "count": count }))),
            "services": array(pair("string", "integer")),
            "teams": array(pair("string", "integer")),
            "lateness": object(
                &["known", "leaked", "mean_stages", "detected_by"],
                json!({
                    "known": count, "leaked": count, "mean_stages": number,
                    "detected_by": array(pair("string", "integer"))
                }),
            ),
            "objectives": array(object(
                &["id", "title", "via"],
                json!({ "id": string, "title": string, "severity": nullable("string"), "via": string }),
            )),
            "score": object(&["value", "terms"], json!({
                "value": number,
                "terms": array(object(
                    &["kind", "measure", "value", "weight", "contribution"],
                    json!({
                        "kind": { "enum": ["frequency", "recency", "spread", "lateness", "severity"] },
                        "measure": string, "value": number, "weight": number, "contribution": number
                    }),
                ))
            })),
            "forecast": forecast,
            "per_service": array(object(
                &["service", "occurrences", "forecast"],
                json!({ "service": string, "occurrences": count, "forecast": forecast }),
            )),
            "recommendations": array(recommendation),
            "uncovered": { "type": "boolean" },
            "sensor": { "type": ["object", "null"] },
            "examples": array(example.clone())
        }),
    );
    let quality = object(
        &[
            "records",
            "classified",
            "unclassified",
            "undated",
            "before_1970",
            "future",
            "unknown_failure_modes",
            "unknown_other",
            "unclassified_sample",
        ],
        json!({
            "records": count, "classified": count, "unclassified": count, "undated": count,
            "before_1970": count, "future": count,
            "unknown_failure_modes": { "type": "object", "additionalProperties": count },
            "unknown_other": count, "unclassified_sample": array(example),
            "first_date": nullable("string"), "last_date": nullable("string")
        }),
    );
    let station = object(
        &[
            "control",
            "title",
            "stage",
            "detected",
            "passed",
            "should_stop",
        ],
        json!({
            "control": string, "title": string, "stage": { "type": "integer" },
            "detected": count, "passed": count,
            "should_stop": array(object(
                &["failure_mode", "title", "occurrences", "leaked"],
                json!({ "failure_mode": string, "title": string, "occurrences": count, "leaked": count }),
            ))
        }),
    );
    let mut root = object(
        &["format", "meta", "ranking", "pipeline"],
        json!({
            "format": { "const": crate::json::FORMAT },
            "meta": object(
                &["catalogue", "version", "sources", "lines", "rejected", "since", "before_since"],
                json!({
                    "catalogue": string, "version": string, "sources": array(string.clone()),
                    "lines": count, "rejected": count, "since": nullable("string"),
                    "before_since": count
                }),
            ),
            "ranking": object(
                &["as_of", "settings", "gaps", "quiet", "quality"],
                json!({
                    "as_of": string,
                    "settings": { "type": "object" },
                    "gaps": array(gap),
                    "quiet": array(string.clone()),
                    "quality": quality
                }),
            ),
            "pipeline": object(
                &["stations", "elsewhere", "unknown"],
                json!({
                    "stations": array(station),
                    "elsewhere": array(pair("string", "integer")),
                    "unknown": count
                }),
            )
        }),
    );
    let map = root.as_object_mut().expect("an object");
    map.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    map.insert("title".into(), json!("gapmine report --format json"));
    map.insert(
        "description".into(),
        json!("The leadership report: where the data came from, the ranking of systemic gaps (scores explained, trends, forecasts, recommendations), the data's quality, and the delivery pipeline. See docs/report.md."),
    );
    root
}
