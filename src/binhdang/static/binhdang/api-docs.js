// The API's documentation page (/api/v1/docs): Swagger UI, from django-ninja's own static files,
// started with the settings the page carries in a data attribute (no inline script: our CSP).
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  const config = JSON.parse(root.dataset.settings);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  SwaggerUIBundle(config);
})();
