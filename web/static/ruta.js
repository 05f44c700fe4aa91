// Progressive enhancement only: every page works without this file.
// After a form comes back with errors, move focus to the summary so screen readers read it first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
  // The market's "Near me": the browser's position fills the form's hidden lat/lon fields and
  // the search runs nearest first. Shown only where the browser can tell the position.
  document.querySelectorAll(".market-near").forEach((button) => {
    if (!("geolocation" in navigator)) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", () => {
      const form = button.form;
      const status = form.querySelector(".market-near-status");
      navigator.geolocation.getCurrentPosition(
        (position) => {
          form.elements.lat.value = position.coords.latitude.toFixed(4);
          form.elements.lon.value = position.coords.longitude.toFixed(4);
          form.elements.sort.value = "distance";
          form.submit();
        },
        () => {
          if (status) {
            status.textContent = button.dataset.nearError;
          }
        },
        { maximumAge: 600000, timeout: 15000 },
      );
    });
  });
});
