//! Workspaces, API keys and scopes: who is calling, and in which workspace they act.

pub mod cache;
pub mod keys;
pub mod model;
pub mod ops;

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::AppError;

/// What a key may do. `admin` includes everything; `crm:write` includes `crm:read`, since a
/// write returns the object it wrote.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Scope {
    #[serde(rename = "crm:read")]
    CrmRead,
    #[serde(rename = "crm:write")]
    CrmWrite,
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::CrmRead, Scope::CrmWrite, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CrmRead => "crm:read",
            Scope::CrmWrite => "crm:write",
            Scope::Admin => "admin",
        }
    }

    fn implies(self, other: Scope) -> bool {
        self == other
            || self == Scope::Admin
            || (self == Scope::CrmWrite && other == Scope::CrmRead)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| {
                format!("unknown scope {s:?}; expected one of crm:read, crm:write, admin")
            })
    }
}

/// The identity a request acts as: one key of one workspace.
#[derive(Debug, Clone)]
pub struct Actor {
    pub workspace_id: Uuid,
    pub key_id: Uuid,
    pub scopes: Vec<Scope>,
    /// The request's `x-request-id`, recorded on audit rows.
    pub request_id: Option<String>,
    /// The door the request came through, recorded on audit rows.
    pub channel: crate::audit::Channel,
}

impl Actor {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|s| s.implies(scope))
    }

    pub fn require(&self, scope: Scope) -> Result<(), AppError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this API key lacks the `{scope}` scope"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(scopes: &[Scope]) -> Actor {
        Actor {
            workspace_id: Uuid::nil(),
            key_id: Uuid::nil(),
            scopes: scopes.to_vec(),
            request_id: None,
            channel: crate::audit::Channel::Graphql,
        }
    }

    #[test]
    fn admin_implies_every_scope() {
        let a = actor(&[Scope::Admin]);
        assert!(Scope::ALL.iter().all(|s| a.has(*s)));
    }

    #[test]
    fn write_implies_read_but_not_admin() {
        let a = actor(&[Scope::CrmWrite]);
        assert!(a.has(Scope::CrmRead));
        assert!(!a.has(Scope::Admin));
        assert!(matches!(
            a.require(Scope::Admin),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn read_is_only_read() {
        let a = actor(&[Scope::CrmRead]);
        assert!(!a.has(Scope::CrmWrite));
    }

    #[test]
    fn scopes_parse_by_their_api_names() {
        assert_eq!("crm:write".parse::<Scope>(), Ok(Scope::CrmWrite));
        assert!("root".parse::<Scope>().is_err());
    }
}
