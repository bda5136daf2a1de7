use serde_json::json;

use super::*;

fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    result.unwrap_err().field().unwrap_or_default().to_owned()
}

fn criterion(
    entity: ScoredEntity,
    field_name: &str,
    op: ScoringOperator,
    v: Value,
    points: i32,
) -> Criterion {
    let field = field(entity, field_name).unwrap();
    let value = value(&field, op, (!v.is_null()).then_some(&v)).unwrap();
    Criterion {
        field,
        operator: op,
        value,
        points,
    }
}

fn lead_facts(title: Option<&str>, tags: &[&str], custom: Value) -> Facts {
    Facts {
        text: vec![
            ("name", Some("Priya".into())),
            ("email", Some("priya@northstar.example".into())),
            ("title", title.map(Into::into)),
            ("source", Some("website".into())),
        ],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        custom_fields: custom,
    }
}

#[test]
fn fields_are_the_entitys_own() {
    assert_eq!(
        field(ScoredEntity::Lead, "email").unwrap(),
        ScoredField::Text("email")
    );
    assert_eq!(
        field(ScoredEntity::Lead, "tags").unwrap(),
        ScoredField::Tags
    );
    assert_eq!(
        field(ScoredEntity::Contact, "customFields.budget").unwrap(),
        ScoredField::Custom("budget".into())
    );
    assert_eq!(
        field(ScoredEntity::Contact, "lifecycleStage").unwrap(),
        ScoredField::Text("lifecycleStage")
    );
    let unknown = field(ScoredEntity::Lead, "favouriteColour");
    let err = unknown.unwrap_err();
    assert_eq!(err.field(), Some("input.field"));
    assert!(err.client_message().contains("favouriteColour"));
    assert_eq!(
        field_of(field(ScoredEntity::Lead, "lifecycleStage")),
        "input.field"
    );
    assert_eq!(
        field_of(field(ScoredEntity::Lead, "customFields.")),
        "input.field"
    );
}

#[test]
fn operators_and_values_must_fit() {
    use ScoringOperator::*;
    let text = ScoredField::Text("title");
    assert_eq!(
        field_of(value(&text, Gte, Some(&json!(3)))),
        "input.operator"
    );
    assert_eq!(
        field_of(value(&text, In, Some(&json!("ceo")))),
        "input.value"
    );
    assert_eq!(field_of(value(&text, In, Some(&json!([])))), "input.value");
    assert_eq!(field_of(value(&text, In, Some(&json!([1])))), "input.value");
    assert_eq!(
        field_of(value(&text, Exists, Some(&json!("x")))),
        "input.value"
    );
    assert_eq!(field_of(value(&text, Equals, None)), "input.value");
    assert_eq!(
        field_of(value(&ScoredField::Tags, Equals, Some(&json!("vip")))),
        "input.operator"
    );
    let custom = ScoredField::Custom("budget".into());
    assert_eq!(
        field_of(value(&custom, Gte, Some(&json!("10")))),
        "input.value"
    );
    assert_eq!(
        value(&custom, Gte, Some(&json!(10))).unwrap(),
        Some(json!(10))
    );
    assert_eq!(value(&custom, Exists, None).unwrap(), None);
    assert_eq!(
        value(&custom, Equals, Some(&json!(true))).unwrap(),
        Some(json!(true))
    );
    assert_eq!(field_of(points(101)), "input.points");
    assert_eq!(points(-100).unwrap(), -100);
}

#[test]
fn scores_sum_the_met_rules_and_clamp() {
    use ScoringOperator::*;
    let lead = ScoredEntity::Lead;
    let criteria = vec![
        criterion(lead, "title", Contains, json!("chief"), 30),
        criterion(lead, "email", Exists, json!(null), 10),
        criterion(lead, "source", Equals, json!("WEBSITE"), 20),
        criterion(lead, "tags", Contains, json!("vip"), 25),
        criterion(lead, "customFields.budget", Gte, json!(10000), 40),
        criterion(
            lead,
            "customFields.plan",
            In,
            json!(["pro", "enterprise"]),
            5,
        ),
        criterion(lead, "phone", Exists, json!(null), 50),
    ];
    let cfo = lead_facts(
        Some("Chief Financial Officer"),
        &["VIP"],
        json!({"budget": 25000, "plan": "Pro"}),
    );
    // 30 + 10 + 20 + 25 + 40 + 5 = 130 → clamped to 100.
    assert_eq!(score(&criteria, &cfo), 100);
    let intern = lead_facts(Some("Intern"), &[], json!({"budget": 9999.5}));
    assert_eq!(score(&criteria, &intern), 30);

    let negative = vec![
        criterion(lead, "email", Contains, json!("@northstar."), 10),
        criterion(lead, "customFields.competitor", Equals, json!(true), -50),
    ];
    assert_eq!(
        score(
            &negative,
            &lead_facts(None, &[], json!({"competitor": true}))
        ),
        0
    );
    assert_eq!(score(&negative, &lead_facts(None, &[], json!({}))), 10);
}

#[test]
fn numbers_compare_exactly() {
    let lte = criterion(
        ScoredEntity::Lead,
        "customFields.employees",
        ScoringOperator::Lte,
        json!(50),
        7,
    );
    assert!(meets(
        &lte,
        &lead_facts(None, &[], json!({"employees": 50}))
    ));
    assert!(meets(
        &lte,
        &lead_facts(None, &[], json!({"employees": 49.99}))
    ));
    assert!(!meets(
        &lte,
        &lead_facts(None, &[], json!({"employees": 50.01}))
    ));
    assert!(!meets(
        &lte,
        &lead_facts(None, &[], json!({"employees": "10"}))
    ));
    let equals = criterion(
        ScoredEntity::Lead,
        "customFields.seats",
        ScoringOperator::Equals,
        json!(10),
        1,
    );
    assert!(meets(
        &equals,
        &lead_facts(None, &[], json!({"seats": 10.0}))
    ));
}

#[test]
fn missing_and_blank_values_meet_nothing_but_negations() {
    let exists = criterion(
        ScoredEntity::Lead,
        "title",
        ScoringOperator::Exists,
        json!(null),
        5,
    );
    assert!(!meets(&exists, &lead_facts(Some("  "), &[], json!({}))));
    assert!(!meets(&exists, &lead_facts(None, &[], json!({}))));
    let custom = criterion(
        ScoredEntity::Lead,
        "customFields.plan",
        ScoringOperator::Exists,
        json!(null),
        5,
    );
    assert!(!meets(
        &custom,
        &lead_facts(None, &[], json!({"plan": null}))
    ));
    assert!(meets(&custom, &lead_facts(None, &[], json!({"plan": ""}))));
}
