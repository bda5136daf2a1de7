// Every GraphQL document the board sends, in one place.

export const CARD = `fragment Card on Deal {
  id title amount currency ownerId status version timeInStage isRotting expectedCloseDate
  stage { id } company { id name } tags { id name color }
}`;

export const START = `query Start {
  viewer { workspace { name defaultCurrency } apiKey { name prefix scopes } effectiveScopes }
  pipelines { id name isDefault stages { id name kind position rottingDays probability } }
}`;

/** The end of the event feed now: load after reading it, then subscribe from it. */
export const EVENT_CURSOR = `query EventCursor { eventCursor }`;

export const TAGS = `query Tags { dealTags { id name color } }`;

export const SUMMARY = `query Summary($pipelineId: ID!, $from: DateTime!, $to: DateTime!) {
  pipelineSummary(pipelineId: $pipelineId) {
    dealCount
    stages { stage { id } dealCount totals { currency total weighted } }
  }
  winRate(pipelineId: $pipelineId, from: $from, to: $to) { won lost closed rate }
}`;

/** One aliased page of deals per stage, all in one request. */
export function columnsQuery(stageCount) {
  const vars = [];
  const fields = [];
  for (let i = 0; i < stageCount; i++) {
    vars.push(`$f${i}: DealFilterInput!`);
    fields.push(`s${i}: deals(filter: $f${i}, first: $first) {
      totalCount pageInfo { hasNextPage endCursor } nodes { ...Card } }`);
  }
  return `query Columns(${vars.join(', ')}, $first: Int!) {\n${fields.join('\n')}\n}\n${CARD}`;
}

export const MORE = `query More($filter: DealFilterInput!, $first: Int!, $after: String) {
  deals(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...Card } }
}
${CARD}`;

export const MOVE = `mutation Move($input: MoveDealInput!) {
  moveDeal(input: $input) { deal { ...Card } }
}
${CARD}`;

export const LIVE = `subscription Live($pipelineId: ID, $after: String) {
  dealStageChanged(pipelineId: $pipelineId, after: $after) {
    cursor
    deal { ...Card pipeline { id } }
    stageChange { fromStageId toStageId }
  }
}
${CARD}`;

export const DEAL = `query Deal($id: ID!) {
  deal(id: $id) {
    ...Card description closeProbability lostReason createdAt
    contacts { role contact { id name email title } }
    stageChanges(first: 20) { nodes { id fromStageName toStageName changedAt } }
    timeline(first: 20) { nodes {
      __typename
      ... on Activity { id type subject body occurredAt }
      ... on StageChange { id fromStageName toStageName changedAt }
    } }
    tasks(first: 20) { nodes { id title status dueAt dueDate isOverdue version } }
  }
}
${CARD}`;

export const UPDATE_DEAL = `mutation UpdateDeal($input: UpdateDealInput!) {
  updateDeal(input: $input) { deal { ...Card } }
}
${CARD}`;

export const LOG_ACTIVITY = `mutation Log($input: LogActivityInput!) {
  logActivity(input: $input) { activity { id } }
}`;

export const CREATE_TASK = `mutation AddTask($input: CreateTaskInput!) {
  createTask(input: $input) { task { id } }
}`;

export const UPDATE_TASK = `mutation SetTask($input: UpdateTaskInput!) {
  updateTask(input: $input) { task { id status version } }
}`;

const TASK_FIELDS = `id title status dueAt dueDate isOverdue version assignee priority
  deal { id title } lead { id name } contact { id name }`;

export const MY_TASKS = `query MyTasks($assignee: String) {
  overdue: tasks(filter: { assignee: $assignee, overdue: true }, first: 50) { totalCount nodes { ${TASK_FIELDS} } }
  todo: tasks(filter: { assignee: $assignee, overdue: false, status: TODO }, first: 50) { totalCount nodes { ${TASK_FIELDS} } }
}`;

const LEAD_FIELDS = `id name email companyName status score source ownerId version createdAt`;

export const LEADS = `query Leads {
  fresh: leads(filter: { status: NEW }, first: 50) { totalCount nodes { ${LEAD_FIELDS} } }
  working: leads(filter: { status: WORKING }, first: 50) { totalCount nodes { ${LEAD_FIELDS} } }
  qualified: leads(filter: { status: QUALIFIED }, first: 50) { totalCount nodes { ${LEAD_FIELDS} } }
}`;

export const QUALIFY = `mutation Qualify($input: LeadStatusInput!) { qualifyLead(input: $input) { lead { id status } } }`;
export const DISQUALIFY = `mutation Disqualify($input: DisqualifyLeadInput!) { disqualifyLead(input: $input) { lead { id status } } }`;
export const CONVERT = `mutation Convert($input: ConvertLeadInput!) {
  convertLead(input: $input) {
    dryRun
    contact { id name } company { id name } deal { id title amount currency stage { name } }
    conversion { contactCreated companyCreated }
  }
}`;

export const FORECAST = `query Forecast($pipelineId: ID!, $from: NaiveDate!, $to: NaiveDate!) {
  forecast(pipelineId: $pipelineId, from: $from, to: $to) {
    months { month open { currency total weighted } won { currency total } }
  }
}`;
