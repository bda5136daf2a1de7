// The API key lives in sessionStorage only: it is gone when the tab closes, and it
// never goes into a URL the server sees (`/admin#key=…` is read and then removed).
const STORE = 'dealgraph.admin.key';

export function initialKey() {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (match) {
    const key = decodeURIComponent(match[1]);
    sessionStorage.setItem(STORE, key);
    history.replaceState(null, '', location.pathname + location.search);
    return key;
  }
  return sessionStorage.getItem(STORE);
}

export function saveKey(key) {
  sessionStorage.setItem(STORE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(STORE);
}
