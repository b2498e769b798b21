// The lesson pages: finds each [data-demo] element and starts its module
// (demos/<kind>.js), wires the "copy the embed snippet" button. No drawing here.

const page = JSON.parse(document.getElementById("page-data").textContent);
const strings = page.strings ?? {};

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? `{${name}}`));
}

// A handle for the browser tests (read-only use): every started demo by kind and name.
const lessons = { demos: [], ready: false, errors: [] };
window.nnliveLessons = lessons;

async function startDemos() {
  for (const el of document.querySelectorAll("[data-demo]")) {
    const kind = el.dataset.demo;
    const name = el.dataset.config ?? null;
    const config = name ? page.demos[name] : null;
    try {
      const module = await import(`./demos/${kind}.js`);
      lessons.demos.push({ kind, name, el, api: module.start(el, { config, t, page }) });
    } catch (error) {
      lessons.errors.push(`${kind}: ${error.message}`);
      throw error;
    }
  }
  lessons.ready = true;
}

function wireCopy() {
  for (const button of document.querySelectorAll('[data-role="copy"]')) {
    const status = document.querySelector('[data-role="copy-status"]');
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.target);
      source.select();
      try {
        await navigator.clipboard.writeText(source.value);
        status.textContent = t("share.copied");
      } catch {
        status.textContent = t("share.copy_failed");
      }
    });
  }
}

wireCopy();
startDemos();
