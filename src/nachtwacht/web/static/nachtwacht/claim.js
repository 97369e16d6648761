// Share and invite links carry their token after "#" (the browser never sends that
// part, so it stays out of access logs). Copy it into the form's field; the person
// presses the button, which POSTs it. Without JavaScript they paste the code instead.
// sessionStorage keeps it while a clinician or partner logs in or signs up first.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("[data-fragment-token]");
  var key = "nachtwacht-link-" + window.location.pathname;
  var token = window.location.hash.length > 1 ? decodeURIComponent(window.location.hash.slice(1)) : "";
  var fromLink = Boolean(token);
  try {
    if (token) {
      window.sessionStorage.setItem(key, token);
    } else if (field && field.value) {
      // Filled by the server (an old-style link posted here before logging in): keep it too.
      window.sessionStorage.setItem(key, field.value);
    } else {
      token = window.sessionStorage.getItem(key) || "";
    }
  } catch (e) { /* storage off: the fragment still fills the field */ }
  if (token && window.history.replaceState) {
    // Out of the address bar, history and bookmarks once it is in the form.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  // The link just opened wins over a code the page already held (an earlier invitation).
  if (field && token && (fromLink || !field.value)) {
    field.value = token;
    var next = document.querySelector("[data-after-token]");
    if (next) { next.focus(); }
  }
  var form = field ? field.form : null;
  if (form) {
    form.addEventListener("submit", function () {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    });
  }
});
