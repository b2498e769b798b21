// A class challenge's limits in words ("at most 8 hidden neurons in all"), for the
// teacher's wall and the learner's class line alike (core/challenge.py checks them).

export function limitsText(challenge, t) {
  const parts = [];
  if (challenge.max_neurons !== null && challenge.max_neurons !== undefined) parts.push(t("teacher.limit_neurons", { n: challenge.max_neurons }));
  if (challenge.max_layers !== null && challenge.max_layers !== undefined) parts.push(t("teacher.limit_layers", { n: challenge.max_layers }));
  return parts.length ? parts.join(t("error.list_sep")) : t("teacher.no_limit");
}
