//! n8n's HighLevel node v1 → v2: the parameter table (`rules/reference/n8n-highlevel-v1-to-v2.yaml`) and the
//! decision for one node — move it (with the key renames) or leave it at v1 with the reasons.
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
pub struct Table {
    pub package: String,
    pub version: String,
    pub operations: BTreeMap<String, Op>,
    #[serde(default)]
    pub retyped: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Op {
    /// The whole operation needs a human (v2 lacks it).
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    #[serde(default)]
    pub review: BTreeMap<String, String>,
}

pub fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        serde_norway::from_str(include_str!(
            "../../rules/reference/n8n-highlevel-v1-to-v2.yaml"
        ))
        .expect("rules/reference/n8n-highlevel-v1-to-v2.yaml")
    })
}

/// What to do with one v1 node.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Move to v2; rename these parameters (`(collection or "", old key, new key)`).
    Move(Vec<(String, String, String)>),
    /// Stay at v1: why.
    Review(Vec<String>),
}

/// The plan for a v1 node's `parameters`.
pub fn plan(params: Option<&Value>) -> Plan {
    let t = table();
    let v1 = crate::scan::exports::n8n::table();
    let p = params.and_then(Value::as_object);
    let get = |k: &str| p.and_then(|p| p.get(k)).and_then(Value::as_str);
    let resource = get("resource").unwrap_or(&v1.default_resource);
    let operation = get("operation").unwrap_or(&v1.default_operation);
    let op_name = format!("{resource}.{operation}");
    let Some(op) = t.operations.get(&op_name) else {
        return Plan::Review(vec![format!(
            "operation {op_name} is not in the v1 → v2 table"
        )]);
    };
    if let Some(why) = &op.operation {
        return Plan::Review(vec![why.clone()]);
    }
    let mut renames = Vec::new();
    let mut why = Vec::new();
    let Some(p) = p else {
        return Plan::Move(renames);
    };
    let known = |name: &str| {
        op.keep.iter().any(|k| k == name)
            || op.rename.contains_key(name)
            || op.review.contains_key(name)
    };
    for (k, v) in p {
        if k == "resource" || k == "operation" {
            continue;
        }
        let prefix = format!("{k}.");
        let is_collection = op
            .keep
            .iter()
            .chain(op.rename.keys())
            .chain(op.review.keys())
            .any(|x| x.starts_with(&prefix));
        let names: Vec<(String, String, String)> = match v.as_object() {
            Some(o) if is_collection => o
                .keys()
                .map(|s| (k.clone(), s.clone(), format!("{k}.{s}")))
                .collect(),
            _ => vec![(String::new(), k.clone(), k.clone())],
        };
        for (coll, key, full) in names {
            if op.keep.iter().any(|x| x == &full) {
                continue;
            }
            if let Some(to) = op.rename.get(&full) {
                let new_key = to.rsplit('.').next().unwrap_or(to).to_string();
                renames.push((coll, key, new_key));
            } else if let Some(r) = op.review.get(&full) {
                why.push(format!("`{full}`: {r}"));
            } else if !known(&full) {
                why.push(format!(
                    "`{full}` has no certain counterpart in the v2 node's {op_name}"
                ));
            }
        }
    }
    if why.is_empty() {
        Plan::Move(renames)
    } else {
        Plan::Review(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/n8n-nodes-base-2.41.2-highlevel-params.json"
            ))
            .unwrap(),
        )
        .unwrap()
    }

    /// Every `keep` is the same parameter in both versions (or a `retyped` one with the same meaning), every
    /// rename's source is v1's and its target v2's, every v1 operation is covered, and the table and the
    /// facts are of the same n8n release.
    #[test]
    fn table_matches_the_n8n_facts() {
        let t = table();
        let f = facts();
        assert_eq!(f["version"], t.version);
        assert_eq!(f["package"], t.package);
        let p1 = &f["parameters"]["v1"];
        let p2 = &f["parameters"]["v2"];
        for (res, ops) in f["operations"]["v1"].as_object().unwrap() {
            for o in ops.as_array().unwrap() {
                let name = format!("{res}.{}", o.as_str().unwrap());
                let op = t.operations.get(&name).unwrap_or_else(|| panic!("{name}"));
                let in_v2 = f["operations"]["v2"][res].as_array().unwrap().contains(o);
                assert_eq!(op.operation.is_none(), in_v2, "{name}");
                for k in &op.keep {
                    let a = &p1[&name][k];
                    let b = &p2[&name][k];
                    assert!(!a.is_null() && !b.is_null(), "{name} {k}");
                    assert!(a == b || t.retyped.contains(k), "{name} {k}: {a} vs {b}");
                }
                for (from, to) in &op.rename {
                    assert!(!p1[&name][from].is_null(), "{name} {from}");
                    assert!(!p2[&name][to].is_null(), "{name} {to}");
                }
                // Every v1 parameter is placed: kept, renamed or reviewed.
                for k in p1[&name].as_object().unwrap().keys() {
                    assert!(
                        op.operation.is_some()
                            || op.keep.contains(k)
                            || op.rename.contains_key(k)
                            || op.review.contains_key(k),
                        "{name}: v1 parameter {k} not in the table"
                    );
                }
            }
        }
    }

    #[test]
    fn plans() {
        assert_eq!(
            plan(Some(
                &json!({"email": "e", "additionalFields": {"tags": "t"}})
            )),
            Plan::Move(vec![])
        );
        assert_eq!(
            plan(Some(
                &json!({"resource": "task", "contactId": "c", "title": "t", "dueDate": "d", "additionalFields": {"description": "x"}})
            )),
            Plan::Move(vec![(
                "additionalFields".into(),
                "description".into(),
                "body".into()
            )])
        );
        assert!(matches!(
            plan(Some(
                &json!({"operation": "update", "contactId": "c", "updateFields": {"source": "n8n"}})
            )),
            Plan::Review(_)
        ));
        assert!(matches!(
            plan(Some(&json!({"operation": "lookup", "email": "e"}))),
            Plan::Review(_)
        ));
        assert_eq!(plan(None), Plan::Move(vec![]));
    }
}
