// Client-side strings: the page's language comes embedded in the page; switching fetches
// the other language's JSON (same files the server renders from) and re-labels in place.

export function createI18n(lang, strings) {
  let dict = strings;
  let current = lang;

  function t(key, vars = {}) {
    const text = dict[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? `{${name}}`));
  }

  // Elements carry data-i18n (text), data-i18n-title, data-i18n-aria, data-i18n-placeholder.
  function apply(root = document) {
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    for (const el of root.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
    document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
    document.title = t("page.title");
  }

  async function load(next) {
    const response = await fetch(`/static/i18n/${next}.json`);
    if (!response.ok) throw new Error(`no strings for language ${next}: HTTP ${response.status}`);
    dict = await response.json();
    current = next;
    apply();
  }

  return { t, apply, load, get lang() { return current; } };
}
