// Pure updates of the board's columns: { [stageId]: { deals, total, hasNext, cursor } }.

export function removeDeal(columns, dealId) {
  const next = {};
  for (const [stageId, col] of Object.entries(columns)) {
    const deals = col.deals.filter((d) => d.id !== dealId);
    next[stageId] = deals.length === col.deals.length ? col : { ...col, deals, total: col.total - 1 };
  }
  return next;
}

/** Puts `deal` at the top of its stage's column (removing it from wherever it was). */
export function placeDeal(columns, deal) {
  const next = removeDeal(columns, deal.id);
  const col = next[deal.stage.id];
  if (!col) return next;
  return { ...next, [deal.stage.id]: { ...col, deals: [deal, ...col.deals], total: col.total + 1 } };
}

export function findDeal(columns, dealId) {
  for (const col of Object.values(columns)) {
    const deal = col.deals.find((d) => d.id === dealId);
    if (deal) return deal;
  }
  return null;
}

/** Whether a deal seen in a live event belongs on the board under these filters. */
export function matches(deal, filters) {
  if (filters.search && !deal.title.toLowerCase().includes(filters.search.toLowerCase())) return false;
  if (filters.ownerId && deal.ownerId !== filters.ownerId) return false;
  if (filters.tagId && !deal.tags.some((t) => t.id === filters.tagId)) return false;
  if (filters.status && deal.status !== filters.status) return false;
  return true;
}

export function dealFilter(pipelineId, stageId, filters) {
  const f = { pipelineId, stageId };
  if (filters.search) f.search = filters.search;
  if (filters.ownerId) f.ownerId = filters.ownerId;
  if (filters.tagId) f.tagId = filters.tagId;
  if (filters.status) f.status = filters.status;
  return f;
}
