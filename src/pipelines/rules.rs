//! Pipeline and stage rules: pure checks, no database.

use std::collections::HashSet;

use bigdecimal::BigDecimal;
use uuid::Uuid;

use super::model::Stage;
use crate::error::AppError;
use crate::validate;
use crate::write::Patch;

pub const MAX_NAME_LEN: usize = 200;
pub const MAX_KEY_LEN: usize = 100;
pub const MAX_STAGES: usize = 50;

/// What reaching a stage means for a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }

    /// The name clients see (the GraphQL enum value).
    pub fn label(self) -> &'static str {
        match self {
            StageKind::Open => "OPEN",
            StageKind::Won => "WON",
            StageKind::Lost => "LOST",
        }
    }

    pub fn parse(value: &str) -> StageKind {
        match value {
            "won" => StageKind::Won,
            "lost" => StageKind::Lost,
            _ => StageKind::Open,
        }
    }
}

/// The kinds every pipeline keeps a stage of: somewhere to work a deal, somewhere to win it and
/// somewhere to lose it. Without one, `winDeal` or `loseDeal` would strand the pipeline's deals.
pub const REQUIRED_KINDS: [StageKind; 3] = [StageKind::Open, StageKind::Won, StageKind::Lost];

const KINDS_RULE: &str = "a pipeline keeps at least one OPEN, one WON and one LOST stage";

/// A change of a pipeline's stages from `before` to `after` (their kinds) may not take away its
/// last stage of a required kind. A pipeline made before this rule that already lacks a kind
/// may still be edited; it just cannot lose another.
pub fn keeps_required_kinds(
    field: &str,
    before: &[StageKind],
    after: &[StageKind],
) -> Result<(), AppError> {
    match REQUIRED_KINDS
        .into_iter()
        .find(|kind| before.contains(kind) && !after.contains(kind))
    {
        Some(kind) => Err(AppError::bad_input(
            field,
            format!(
                "this would leave the pipeline without a {} stage: {KINDS_RULE}",
                kind.label()
            ),
        )),
        None => Ok(()),
    }
}

/// A stage as the caller describes it, before validation.
#[derive(Debug, Clone)]
pub struct StageSpec {
    pub name: String,
    pub key: Option<String>,
    pub probability: Option<BigDecimal>,
    pub kind: StageKind,
    pub color: Option<String>,
    pub rotting_days: Option<i32>,
}

/// A validated stage.
#[derive(Debug, Clone)]
pub struct ValidStage {
    pub name: String,
    pub key: Option<String>,
    pub probability: BigDecimal,
    pub kind: StageKind,
    pub color: Option<String>,
    pub rotting_days: Option<i32>,
}

/// A new pipeline as the caller describes it.
#[derive(Debug, Clone)]
pub struct PipelineInput {
    pub name: String,
    /// Stages in order; `None` gives the default set.
    pub stages: Option<Vec<StageSpec>>,
    pub make_default: bool,
}

/// Changes to a pipeline; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PipelinePatch {
    pub name: Option<String>,
    pub archived: Option<bool>,
    pub make_default: bool,
    pub expected_version: Option<i32>,
}

/// A partial edit of a stage: `None`/`Unchanged` leaves a field alone, `Clear` empties a
/// nullable one.
#[derive(Debug, Clone, Default)]
pub struct StagePatch {
    pub name: Option<String>,
    pub key: Patch<String>,
    pub probability: Option<BigDecimal>,
    pub kind: Option<StageKind>,
    pub color: Patch<String>,
    pub rotting_days: Patch<i32>,
    pub expected_version: Option<i32>,
}

/// Default probability by kind when none is given.
fn default_probability(kind: StageKind) -> BigDecimal {
    match kind {
        StageKind::Won => BigDecimal::from(1),
        StageKind::Lost | StageKind::Open => BigDecimal::from(0),
    }
}

pub fn stage(field: &str, spec: &StageSpec) -> Result<ValidStage, AppError> {
    let name = validate::required_text(&format!("{field}.name"), &spec.name, MAX_NAME_LEN)?;
    let key = match spec.key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) => Some(slug(&format!("{field}.key"), key)?),
    };
    let probability = match &spec.probability {
        Some(p) => validate::probability(&format!("{field}.probability"), p)?,
        None => default_probability(spec.kind),
    };
    let color = validate::color(&format!("{field}.color"), spec.color.as_deref())?;
    if let Some(days) = spec.rotting_days {
        if !(1..=3650).contains(&days) {
            return Err(AppError::bad_input(
                format!("{field}.rottingDays"),
                "must be between 1 and 3650",
            ));
        }
    }
    Ok(ValidStage {
        name,
        key,
        probability,
        kind: spec.kind,
        color,
        rotting_days: spec.rotting_days,
    })
}

/// `before` with the patch applied, each touched field validated, in the input's order.
/// `others`: the kinds of the pipeline's other stages, which decide whether this one may
/// change kind (see [`keeps_required_kinds`]).
pub fn patched_stage(
    before: &Stage,
    patch: StagePatch,
    others: &[StageKind],
) -> Result<Stage, AppError> {
    let mut stage = before.clone();
    if let Some(name) = &patch.name {
        stage.name = validate::required_text("input.name", name, MAX_NAME_LEN)?;
    }
    if !patch.key.is_unchanged() {
        stage.key = match patch.key.apply(None).as_deref().map(str::trim) {
            None | Some("") => None,
            Some(key) => Some(slug("input.key", key)?),
        };
    }
    if let Some(p) = &patch.probability {
        stage.probability = validate::probability("input.probability", p)?;
    }
    if let Some(kind) = patch.kind {
        let with = |kind: StageKind| others.iter().copied().chain([kind]).collect::<Vec<_>>();
        keeps_required_kinds("input.kind", &with(before.kind()), &with(kind))?;
        stage.kind = kind.as_str().to_owned();
    }
    if !patch.color.is_unchanged() {
        stage.color = validate::color("input.color", patch.color.apply(None).as_deref())?;
    }
    if !patch.rotting_days.is_unchanged() {
        let days = patch.rotting_days.apply(None);
        if days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(AppError::bad_input(
                "input.rottingDays",
                "must be between 1 and 3650",
            ));
        }
        stage.rotting_days = days;
    }
    Ok(stage)
}

/// Stage keys are lower-case slugs: `qualified`, `demo-scheduled`.
pub fn slug(field: &str, key: &str) -> Result<String, AppError> {
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.split(['-', '_']).all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if valid {
        Ok(key.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            format!("{key:?} is not a slug (lower-case letters and digits joined by - or _)"),
        ))
    }
}

/// A pipeline's stages as a whole: every required kind, unique keys, a sane count.
pub fn stage_set(field: &str, stages: &[ValidStage]) -> Result<(), AppError> {
    if stages.len() > MAX_STAGES {
        return Err(AppError::bad_input(
            field,
            format!("a pipeline has at most {MAX_STAGES} stages"),
        ));
    }
    if let Some(missing) = REQUIRED_KINDS
        .into_iter()
        .find(|kind| !stages.iter().any(|s| s.kind == *kind))
    {
        return Err(AppError::bad_input(
            field,
            format!("has no {} stage: {KINDS_RULE}", missing.label()),
        ));
    }
    let mut keys = HashSet::new();
    for key in stages.iter().filter_map(|s| s.key.as_deref()) {
        if !keys.insert(key) {
            return Err(AppError::bad_input(
                field,
                format!("stage key {key:?} is used twice"),
            ));
        }
    }
    Ok(())
}

/// The stages a pipeline gets when created without any.
pub fn default_stages() -> Vec<ValidStage> {
    let stage = |name: &str, key: &str, p: i64, kind: StageKind| ValidStage {
        name: name.into(),
        key: Some(key.into()),
        probability: BigDecimal::from(p) / BigDecimal::from(100),
        kind,
        color: None,
        rotting_days: None,
    };
    vec![
        stage("Lead in", "lead-in", 10, StageKind::Open),
        stage("Qualified", "qualified", 25, StageKind::Open),
        stage("Proposal", "proposal", 50, StageKind::Open),
        stage("Negotiation", "negotiation", 75, StageKind::Open),
        stage("Won", "won", 100, StageKind::Won),
        stage("Lost", "lost", 0, StageKind::Lost),
    ]
}

/// `reorderStages` must name every stage of the pipeline exactly once.
pub fn reorder(current: &[Uuid], requested: &[Uuid]) -> Result<(), AppError> {
    let field = "input.stageIds";
    let unique: HashSet<&Uuid> = requested.iter().collect();
    if unique.len() != requested.len() {
        return Err(AppError::bad_input(field, "lists a stage more than once"));
    }
    let current_set: HashSet<&Uuid> = current.iter().collect();
    if let Some(unknown) = requested.iter().find(|id| !current_set.contains(id)) {
        return Err(AppError::bad_input(
            field,
            format!("{unknown} is not a stage of this pipeline"),
        ));
    }
    if requested.len() != current.len() {
        return Err(AppError::bad_input(
            field,
            format!(
                "must list all {} stages of the pipeline (got {})",
                current.len(),
                requested.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: StageKind) -> StageSpec {
        StageSpec {
            name: "S".into(),
            key: None,
            probability: None,
            kind,
            color: None,
            rotting_days: None,
        }
    }

    fn valid(kinds: &[StageKind]) -> Vec<ValidStage> {
        kinds
            .iter()
            .map(|kind| stage("s", &spec(*kind)).unwrap())
            .collect()
    }

    #[test]
    fn a_pipeline_needs_an_open_a_won_and_a_lost_stage() {
        use StageKind::*;
        assert!(stage_set("input.stages", &valid(&[Open, Won, Lost])).is_ok());
        for (kinds, missing) in [
            (&[Won, Lost][..], "OPEN"),
            (&[Open, Lost][..], "WON"),
            (&[Open, Open, Won][..], "LOST"),
        ] {
            let err = stage_set("input.stages", &valid(kinds)).unwrap_err();
            assert!(err.to_string().contains(missing), "{err}");
        }
    }

    #[test]
    fn a_change_may_not_take_away_the_last_stage_of_a_kind() {
        use StageKind::*;
        assert!(keeps_required_kinds("f", &[Open, Won, Lost], &[Open, Won, Lost]).is_ok());
        assert!(keeps_required_kinds("f", &[Open, Open, Won, Lost], &[Open, Won, Lost]).is_ok());
        let err = keeps_required_kinds("f", &[Open, Won, Lost], &[Open, Lost]).unwrap_err();
        assert!(err.to_string().contains("WON"), "{err}");
        assert_eq!(err.field(), Some("f"));
        // An old pipeline without a LOST stage may still change, but not lose its WON one.
        assert!(keeps_required_kinds("f", &[Open, Won], &[Open, Open, Won]).is_ok());
        assert!(keeps_required_kinds("f", &[Open, Won], &[Open, Open]).is_err());
    }

    #[test]
    fn keys_are_slugs_and_unique() {
        assert!(slug("k", "demo-scheduled").is_ok());
        assert!(slug("k", "Demo").is_err());
        assert!(slug("k", "a--b").is_err());
        let mut a = spec(StageKind::Open);
        a.key = Some("x".into());
        let stages: Vec<_> = [a.clone(), a]
            .iter()
            .filter_map(|s| stage("s", s).ok())
            .collect();
        assert!(stage_set("input.stages", &stages).is_err());
    }

    #[test]
    fn probability_is_checked() {
        let mut s = spec(StageKind::Open);
        s.probability = Some(BigDecimal::from(3) / BigDecimal::from(2));
        let err = stage("input.stages.0", &s).err();
        assert_eq!(
            err.as_ref().and_then(|e| e.field()),
            Some("input.stages.0.probability")
        );
    }

    #[test]
    fn reorder_needs_exactly_the_pipelines_stages() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert!(reorder(&[a, b], &[b, a]).is_ok());
        assert!(reorder(&[a, b], &[a]).is_err());
        assert!(reorder(&[a, b], &[a, a]).is_err());
        assert!(reorder(&[a, b], &[a, b, Uuid::now_v7()]).is_err());
        assert!(reorder(&[a, b], &[a, Uuid::now_v7()]).is_err());
    }

    fn existing_stage() -> Stage {
        Stage {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            pipeline_id: Uuid::nil(),
            name: "Demo".into(),
            key: Some("demo".into()),
            position: 0,
            probability: BigDecimal::from(0),
            kind: "open".into(),
            color: Some("#aabbcc".into()),
            rotting_days: Some(7),
            version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_stage_patch_touches_only_its_fields() {
        let before = existing_stage();
        let patch = StagePatch {
            key: Patch::Clear,
            rotting_days: Patch::Set(30),
            ..StagePatch::default()
        };
        let after = patched_stage(&before, patch, &[]).unwrap();
        assert_eq!(after.key, None);
        assert_eq!(after.rotting_days, Some(30));
        assert_eq!(after.color, before.color);
        assert_eq!(after.name, before.name);
    }

    #[test]
    fn a_blank_key_clears_it_and_the_last_open_stage_stays_open() {
        let before = existing_stage();
        let blank = StagePatch {
            key: Patch::Set("  ".into()),
            ..StagePatch::default()
        };
        assert_eq!(patched_stage(&before, blank, &[]).unwrap().key, None);
        let won = StagePatch {
            kind: Some(StageKind::Won),
            ..StagePatch::default()
        };
        let alone = [StageKind::Won, StageKind::Lost];
        let err = patched_stage(&before, won.clone(), &alone).err();
        assert_eq!(err.as_ref().and_then(|e| e.field()), Some("input.kind"));
        let with_another_open = [StageKind::Open, StageKind::Won, StageKind::Lost];
        assert_eq!(
            patched_stage(&before, won, &with_another_open)
                .unwrap()
                .kind,
            "won"
        );
    }

    #[test]
    fn default_stages_are_valid() {
        assert!(stage_set("s", &default_stages()).is_ok());
    }
}
