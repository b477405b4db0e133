// Start Swagger UI (copied from npm swagger-ui-dist at set-up) on the API's own OpenAPI document.
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    supportedSubmitMethods: ["get"],
  });
})();
