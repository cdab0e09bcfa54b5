// Browser side of the app, called through Reflex's JS interop (rx.call_script).
// Every function resolves to {ok: true, data} or {ok: false, error}: Reflex swallows
// rejected promises, so nothing here may reject.
(function () {
  "use strict";

  // A full-page POST to a backend route (which sets or clears the HttpOnly cookie).
  // Fields arrive as a JSON object from Python; values are set as properties,
  // never concatenated into markup.
  function postNavigate(url, fields) {
    try {
      const form = document.createElement("form");
      form.method = "POST";
      form.action = url;
      form.style.display = "none";
      for (const [name, value] of Object.entries(fields || {})) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = String(value);
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
      return { ok: true, data: null };
    } catch (error) {
      return { ok: false, error: { name: error && error.name, message: "navigation failed" } };
    }
  }

  window.passkeyApp = Object.freeze({ postNavigate });
})();
