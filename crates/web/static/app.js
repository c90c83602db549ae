// Small enhancements only: every flow works without this script.
document.addEventListener("DOMContentLoaded", () => {
  // Fill the time zone from the browser when the field still holds the default.
  for (const input of document.querySelectorAll("[data-detect-timezone]")) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && (input.value === "" || input.value === "UTC")) input.value = zone;
    } catch (_) { /* keep the server's default */ }
  }
  // Booking pages show times in the browser's zone unless the person chose one.
  const picker = document.querySelector("[data-tz-redirect]");
  if (picker) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const url = new URL(window.location.href);
      if (zone && !url.searchParams.has("tz")) {
        url.searchParams.set("tz", zone);
        window.location.replace(url.toString());
      }
    } catch (_) { /* keep the account's zone */ }
  }
  // Bring the error summary into view and focus so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
