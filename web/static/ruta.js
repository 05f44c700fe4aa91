// Progressive enhancement only: every page works without this file.
// After a form comes back with errors, move focus to the summary so screen readers read it first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
