use bigdecimal::BigDecimal;
use serde_json::json;

use super::*;

fn input(field: ConditionField, operator: ConditionOperator, value: Value) -> ConditionInput {
    ConditionInput {
        field,
        operator,
        key: None,
        value: Some(value),
        currency: None,
    }
}

fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    result.unwrap_err().field().unwrap_or_default().to_owned()
}

fn lead(source: &str, country: Option<&str>, tags: &[&str], custom: Value) -> Subject {
    Subject {
        source: Some(source.into()),
        country: country.map(Into::into),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        custom_fields: custom,
        ..Subject::default()
    }
}

#[test]
fn source_conditions_take_lead_source_names_for_lead_rules_only() {
    use ConditionField::Source;
    use ConditionOperator::*;
    let c = condition(
        "c",
        RoutedEntity::Lead,
        &input(Source, In, json!(["WEBSITE", "referral"])),
    );
    assert_eq!(
        c.unwrap(),
        Condition::Source {
            any_of: vec!["website".into(), "referral".into()]
        }
    );
    let unknown = condition(
        "c",
        RoutedEntity::Lead,
        &input(Source, Equals, json!("fax")),
    );
    assert_eq!(field_of(unknown), "c.value");
    let on_deal = condition(
        "c",
        RoutedEntity::Deal,
        &input(Source, Equals, json!("website")),
    );
    assert_eq!(field_of(on_deal), "c.field");
    let wrong_operator = condition(
        "c",
        RoutedEntity::Lead,
        &input(Source, Gte, json!("website")),
    );
    assert_eq!(field_of(wrong_operator), "c.operator");
    let in_without_list = condition(
        "c",
        RoutedEntity::Lead,
        &input(Source, In, json!("website")),
    );
    assert_eq!(field_of(in_without_list), "c.value");
}

#[test]
fn countries_are_iso_codes() {
    use ConditionField::Country;
    let c = condition(
        "c",
        RoutedEntity::Lead,
        &input(Country, ConditionOperator::Equals, json!("de")),
    );
    assert_eq!(
        c.unwrap(),
        Condition::Country {
            any_of: vec!["DE".into()]
        }
    );
    let bad = condition(
        "c",
        RoutedEntity::Lead,
        &input(Country, ConditionOperator::Equals, json!("XX")),
    );
    assert_eq!(field_of(bad), "c.value");
}

#[test]
fn amounts_need_a_currency_and_a_deal_rule() {
    use ConditionField::Amount;
    use ConditionOperator::*;
    let mut gte = input(Amount, Gte, json!("5000"));
    assert_eq!(
        field_of(condition("c", RoutedEntity::Deal, &gte)),
        "c.currency"
    );
    gte.currency = Some("eur".into());
    assert_eq!(
        condition("c", RoutedEntity::Deal, &gte).unwrap(),
        Condition::AmountAtLeast {
            amount: BigDecimal::from(5000),
            currency: "EUR".into()
        }
    );
    assert_eq!(
        field_of(condition("c", RoutedEntity::Lead, &gte)),
        "c.field"
    );
    let mut number = gte.clone();
    number.value = Some(json!(5000));
    assert_eq!(
        field_of(condition("c", RoutedEntity::Deal, &number)),
        "c.value"
    );
    let mut equals = gte.clone();
    equals.operator = Equals;
    assert_eq!(
        field_of(condition("c", RoutedEntity::Deal, &equals)),
        "c.operator"
    );
    let mut currency_elsewhere = input(ConditionField::Tag, Equals, json!("vip"));
    currency_elsewhere.currency = Some("EUR".into());
    assert_eq!(
        field_of(condition("c", RoutedEntity::Deal, &currency_elsewhere)),
        "c.currency"
    );
}

#[test]
fn custom_field_conditions_need_a_key() {
    use ConditionField::CustomField;
    use ConditionOperator::*;
    let mut exists = input(CustomField, Exists, json!(null));
    exists.value = None;
    assert_eq!(
        field_of(condition("c", RoutedEntity::Lead, &exists)),
        "c.key"
    );
    exists.key = Some("plan".into());
    assert_eq!(
        condition("c", RoutedEntity::Lead, &exists).unwrap(),
        Condition::CustomField {
            key: "plan".into(),
            any_of: None
        }
    );
    let mut with_value = exists.clone();
    with_value.value = Some(json!("pro"));
    assert_eq!(
        field_of(condition("c", RoutedEntity::Lead, &with_value)),
        "c.value"
    );
}

#[test]
fn conditions_match_when_all_hold() {
    let conditions = vec![
        Condition::Source {
            any_of: vec!["website".into()],
        },
        Condition::Country {
            any_of: vec!["DE".into(), "AT".into()],
        },
        Condition::Tag {
            any_of: vec!["vip".into()],
        },
        Condition::CustomField {
            key: "plan".into(),
            any_of: Some(vec![json!("pro")]),
        },
    ];
    let fits = lead("website", Some("de"), &["VIP"], json!({"plan": "pro"}));
    assert!(matches(&conditions, &fits));
    for other in [
        lead("referral", Some("DE"), &["vip"], json!({"plan": "pro"})),
        lead("website", Some("FR"), &["vip"], json!({"plan": "pro"})),
        lead("website", None, &["vip"], json!({"plan": "pro"})),
        lead("website", Some("DE"), &[], json!({"plan": "pro"})),
        lead("website", Some("DE"), &["vip"], json!({"plan": "free"})),
    ] {
        assert!(!matches(&conditions, &other), "{other:?}");
    }
    assert!(
        matches(&[], &Subject::default()),
        "no conditions take anything"
    );
}

#[test]
fn amounts_compare_in_their_own_currency_only() {
    let at_least = [Condition::AmountAtLeast {
        amount: BigDecimal::from(5000),
        currency: "EUR".into(),
    }];
    let deal = |amount: i32, currency: &str| Subject {
        amount: Some((BigDecimal::from(amount), currency.into())),
        ..Subject::default()
    };
    assert!(matches(&at_least, &deal(5000, "EUR")));
    assert!(!matches(&at_least, &deal(4999, "EUR")));
    assert!(!matches(&at_least, &deal(9000, "USD")));
    let at_most = [Condition::AmountAtMost {
        amount: BigDecimal::from(100),
        currency: "EUR".into(),
    }];
    assert!(matches(&at_most, &deal(100, "EUR")));
    assert!(!matches(&at_most, &deal(101, "EUR")));
}

#[test]
fn round_robin_goes_round() {
    let owners: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let picked: Vec<&str> = (0..5).filter_map(|slot| owner_at(&owners, slot)).collect();
    assert_eq!(picked, ["a", "b", "c", "a", "b"]);
    assert_eq!(owner_at(&[], 3), None);
}

#[test]
fn assignment_is_one_owner_or_a_rotation() {
    assert_eq!(
        assignment(Some(" u1 "), None).unwrap(),
        Assignment::Owner("u1".into())
    );
    let owners = vec!["a".to_string(), "b".to_string()];
    assert_eq!(
        assignment(None, Some(&owners)).unwrap(),
        Assignment::RoundRobin(owners.clone())
    );
    assert_eq!(field_of(assignment(None, None)), "input.ownerId");
    assert_eq!(
        field_of(assignment(Some("a"), Some(&owners))),
        "input.roundRobin"
    );
    assert_eq!(field_of(assignment(None, Some(&[]))), "input.roundRobin");
    let blank = vec!["a".to_string(), " ".to_string()];
    assert_eq!(
        field_of(assignment(None, Some(&blank))),
        "input.roundRobin[1]"
    );
}

#[test]
fn stored_conditions_round_trip() {
    let conditions = vec![
        Condition::Pipeline { id: Uuid::nil() },
        Condition::AmountAtMost {
            amount: BigDecimal::from(10),
            currency: "JPY".into(),
        },
    ];
    let json = serde_json::to_value(&conditions).unwrap();
    assert_eq!(stored(&json), conditions);
}
