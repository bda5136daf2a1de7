import { useEffect, useState } from 'preact/hooks';

/** Search (debounced while typing) and the owner / tag / status filters. */
export function Filters({ filters, tags, onChange }) {
  const [search, setSearch] = useState(filters.search);
  const [owner, setOwner] = useState(filters.ownerId);
  useEffect(() => {
    const t = setTimeout(() => {
      if (search !== filters.search || owner !== filters.ownerId) onChange({ ...filters, search, ownerId: owner });
    }, 300);
    return () => clearTimeout(t);
  }, [search, owner]);
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      <label><span class="label">Search</span>
        <input type="search" value={search} placeholder="Deal title" onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      <label><span class="label">Owner</span>
        <input type="text" value={owner} placeholder="owner id" size="10" onInput={(e) => setOwner(e.currentTarget.value)} />
      </label>
      <label><span class="label">Tag</span>
        <select value={filters.tagId} onChange={(e) => onChange({ ...filters, tagId: e.currentTarget.value })}>
          <option value="">any</option>
          {tags.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select>
      </label>
      <label><span class="label">Status</span>
        <select value={filters.status} onChange={(e) => onChange({ ...filters, status: e.currentTarget.value })}>
          <option value="">any</option>
          <option value="OPEN">open</option>
          <option value="WON">won</option>
          <option value="LOST">lost</option>
        </select>
      </label>
    </form>
  );
}
