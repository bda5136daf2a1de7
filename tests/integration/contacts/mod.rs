//! Contacts and companies: writes through the write path, uniqueness, validation, tenancy,
//! search, filters, keyset paging and the relations between the two.

mod access;
mod company;
mod contact;
mod lists;
mod relations;
mod writes;

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::support::builders::{COMPANY_FIELDS, CONTACT_FIELDS};
use crate::support::{GqlResponse, TestApp};

fn create_contact_query() -> String {
    format!("mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ replayed dryRun contact {{ {CONTACT_FIELDS} }} }} }}")
}

fn update_contact_query() -> String {
    format!("mutation($input: UpdateContactInput!) {{ updateContact(input: $input) {{ replayed dryRun contact {{ {CONTACT_FIELDS} }} }} }}")
}

const DELETE_CONTACT: &str = "mutation($input: DeleteContactInput!) { deleteContact(input: $input) { replayed dryRun contact { id name version } } }";

fn create_company_query() -> String {
    format!("mutation($input: CreateCompanyInput!) {{ createCompany(input: $input) {{ replayed dryRun company {{ {COMPANY_FIELDS} }} }} }}")
}

fn update_company_query() -> String {
    format!("mutation($input: UpdateCompanyInput!) {{ updateCompany(input: $input) {{ replayed dryRun company {{ {COMPANY_FIELDS} }} }} }}")
}

const DELETE_COMPANY: &str = "mutation($input: DeleteCompanyInput!) { deleteCompany(input: $input) { replayed dryRun company { id name version } } }";

const CONTACT_BY_ID: &str =
    "query($id: ID!) { contact(id: $id) { id name title companyId company { id name } version } }";

const COMPANY_BY_ID: &str = "query($id: ID!) { company(id: $id) { id name domain version } }";

const LIST_CONTACTS: &str =
    "query($filter: ContactFilter, $orderBy: ContactOrderBy, $first: Int, $after: String) {
    contacts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id name email } }
    }
}";

const LIST_COMPANIES: &str =
    "query($filter: CompanyFilter, $orderBy: CompanyOrderBy, $first: Int, $after: String) {
    companies(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id name domain } }
    }
}";

async fn update_contact(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(&update_contact_query(), json!({ "input": input }))
        .await
}

async fn update_company(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(&update_company_query(), json!({ "input": input }))
        .await
}

fn field(response: &GqlResponse) -> &str {
    response.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no field in {}", response.body))
}

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn list_contacts(app: &TestApp, variables: Value) -> Value {
    app.gql(LIST_CONTACTS, variables).await.data()["contacts"].clone()
}

async fn list_companies(app: &TestApp, variables: Value) -> Value {
    app.gql(LIST_COMPANIES, variables).await.data()["companies"].clone()
}

async fn execute(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
}
