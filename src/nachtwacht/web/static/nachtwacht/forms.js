// After a server-side error the page reloads at the top: move the focus to the error
// summary so a screen reader reads it and the keyboard starts there (issue #14).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
