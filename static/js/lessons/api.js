// POST JSON to the server's API; a refusal becomes an Error carrying the server's message.

export async function postJson(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message ?? answer.error?.message ?? `HTTP ${response.status}`);
  return answer;
}
