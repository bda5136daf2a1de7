//! The conversion rules' unit tests.

use super::*;
use crate::leads::rules::fixtures::lead;

fn lead_with(email: Option<&str>, website: Option<&str>) -> Lead {
    Lead {
        email: email.map(str::to_owned),
        website: website.map(str::to_owned),
        ..lead(LeadStatus::Qualified)
    }
}

#[test]
fn the_free_mail_list_is_sorted_for_binary_search() {
    assert!(FREE_MAIL_DOMAINS.windows(2).all(|w| w[0] < w[1]));
    assert!(is_free_mail("gmail.com"));
    assert!(!is_free_mail("northstar.example"));
}

#[test]
fn a_company_domain_comes_from_the_website_then_the_email_never_free_mail() {
    let both = lead_with(
        Some("priya@mail.northstar.example"),
        Some("https://www.Northstar.example/studio"),
    );
    assert_eq!(
        company_domain(&both).as_deref(),
        Some("northstar.example"),
        "the website wins"
    );
    let email_only = lead_with(Some("Priya@Northstar.Example"), None);
    assert_eq!(
        company_domain(&email_only).as_deref(),
        Some("northstar.example")
    );
    let gmail = lead_with(Some("priya@gmail.com"), None);
    assert_eq!(company_domain(&gmail), None);
    let gmail_and_site = lead_with(Some("priya@GMAIL.com"), Some("northstar.example"));
    assert_eq!(
        company_domain(&gmail_and_site).as_deref(),
        Some("northstar.example")
    );
    let junk_site = lead_with(Some("priya@northstar.example"), Some("not a site"));
    assert_eq!(
        company_domain(&junk_site).as_deref(),
        Some("northstar.example"),
        "an unusable website falls back to the e-mail"
    );
    assert_eq!(company_domain(&lead_with(None, None)), None);
}

#[test]
fn the_contact_reaches_opportunity_with_a_deal_and_sql_without_never_back() {
    use LifecycleStage::*;
    assert_eq!(stage_after_conversion(None, true), Opportunity);
    assert_eq!(stage_after_conversion(None, false), Sql);
    assert_eq!(stage_after_conversion(Some(Lead), true), Opportunity);
    assert_eq!(stage_after_conversion(Some(Mql), false), Sql);
    assert_eq!(stage_after_conversion(Some(Other), false), Sql);
    assert_eq!(stage_after_conversion(Some(Customer), true), Customer);
    assert_eq!(
        stage_after_conversion(Some(Opportunity), false),
        Opportunity
    );
}

#[test]
fn converted_and_disqualified_leads_cannot_be_converted() {
    assert!(check_convertible(&lead(LeadStatus::New), None).is_ok());
    assert!(check_convertible(&lead(LeadStatus::Qualified), None).is_ok());
    let earlier = LeadConversion {
        workspace_id: Uuid::nil(),
        id: Uuid::now_v7(),
        lead_id: Uuid::nil(),
        contact_id: None,
        company_id: None,
        deal_id: None,
        contact_created: true,
        company_created: false,
        owner_id: None,
        reason: None,
        actor_key_id: Uuid::nil(),
        converted_at: Utc::now(),
    };
    let err = check_convertible(&lead(LeadStatus::Converted), Some(&earlier)).unwrap_err();
    assert_eq!(err.code().as_str(), "CONFLICT");
    assert!(err.to_string().contains(&earlier.id.to_string()), "{err}");
    let err = check_convertible(&lead(LeadStatus::Disqualified), None).unwrap_err();
    assert_eq!(err.code().as_str(), "CONFLICT");
    assert!(err.to_string().contains("DISQUALIFIED"), "{err}");
}

#[test]
fn the_new_contact_and_company_take_the_leads_values_unless_given() {
    let lead = Lead {
        phone: Some("+1 555".into()),
        title: Some("Founder".into()),
        website: Some("northstar.example".into()),
        owner_id: Some("ana".into()),
        ..lead(LeadStatus::Qualified)
    };
    let contact = contact_input(
        &lead,
        &ContactOverrides::default(),
        None,
        LifecycleStage::Sql,
    );
    assert_eq!(contact.name.as_deref(), Some("Priya Raman"));
    assert_eq!(contact.email, lead.email);
    assert_eq!(contact.phone.as_deref(), Some("+1 555"));
    assert_eq!(contact.owner_id.as_deref(), Some("ana"));
    let renamed = contact_input(
        &lead,
        &ContactOverrides {
            first_name: Some("Priya".into()),
            title: Some("CEO".into()),
            ..ContactOverrides::default()
        },
        None,
        LifecycleStage::Sql,
    );
    assert_eq!(
        renamed.name, None,
        "built from the first name by the contact rules"
    );
    assert_eq!(renamed.title.as_deref(), Some("CEO"));

    let company = company_input(&lead, &CompanyOverrides::default()).unwrap();
    assert_eq!(company.name, "Northstar Studio");
    assert_eq!(company.domain.as_deref(), Some("northstar.example"));
    let nameless = Lead {
        company_name: None,
        ..lead.clone()
    };
    let err = company_input(&nameless, &CompanyOverrides::default()).unwrap_err();
    assert_eq!(err.field(), Some("input.company.create.name"));
}

#[test]
fn a_linked_contact_must_not_belong_to_another_company() {
    let contact = |company_id| Contact {
        workspace_id: Uuid::nil(),
        id: Uuid::nil(),
        name: "Priya".into(),
        first_name: None,
        last_name: None,
        email: None,
        phone: None,
        title: None,
        company_id,
        lifecycle_stage: "lead".into(),
        lead_score: None,
        owner_id: None,
        tags: vec![],
        custom_fields: serde_json::json!({}).into(),
        last_activity_at: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    assert!(check_contact_company(&contact(None), Some(a)).is_ok());
    assert!(check_contact_company(&contact(Some(a)), Some(a)).is_ok());
    assert!(check_contact_company(&contact(Some(a)), None).is_ok());
    let err = check_contact_company(&contact(Some(a)), Some(b)).unwrap_err();
    assert_eq!(err.field(), Some("input.contact.existingId"));
}

#[test]
fn the_deal_starts_where_asked() {
    let id = Uuid::now_v7();
    let deal = |stage_id, pipeline_id, stage_key: Option<&str>| DealRequest {
        title: "Website redesign".into(),
        stage_id,
        pipeline_id,
        stage_key: stage_key.map(str::to_owned),
        ..DealRequest::default()
    };
    assert_eq!(
        stage_target(&deal(None, None, None)).unwrap(),
        StageTarget::DefaultPipeline
    );
    assert_eq!(
        stage_target(&deal(Some(id), None, None)).unwrap(),
        StageTarget::Stage(id)
    );
    assert_eq!(
        stage_target(&deal(None, Some(id), None)).unwrap(),
        StageTarget::FirstOf(id)
    );
    assert_eq!(
        stage_target(&deal(None, None, Some("proposal"))).unwrap(),
        StageTarget::Keyed {
            pipeline_id: None,
            key: "proposal".into()
        }
    );
    let both = stage_target(&deal(Some(id), None, Some("proposal"))).unwrap_err();
    assert_eq!(both.field(), Some("input.deal.stageKey"));
    let stage_and_pipeline = stage_target(&deal(Some(id), Some(id), None)).unwrap_err();
    assert_eq!(stage_and_pipeline.field(), Some("input.deal.pipelineId"));
    assert_eq!(
        deal_role(&deal(None, None, None)).unwrap(),
        "decision_maker"
    );
}

#[test]
fn nested_errors_name_the_field_under_its_part() {
    let moved = nested("input.contact.create")(AppError::bad_input("input.email", "bad"));
    assert_eq!(moved.field(), Some("input.contact.create.email"));
    let conflict = nested("input.deal")(AppError::conflict(Some("input.title"), "taken"));
    assert_eq!(conflict.field(), Some("input.deal.title"));
    let other = nested("input.deal")(AppError::not_found("stage", Uuid::nil()));
    assert_eq!(other.code().as_str(), "NOT_FOUND");
}
