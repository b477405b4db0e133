// Start Swagger UI (copied from npm swagger-ui-dist at set-up) on the API's own OpenAPI document.
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  // The page has its own h1 and introduction: leave out Swagger UI's title block (another h1).
  var noInfo = function () {
    return {
      wrapComponents: {
        InfoContainer: function () {
          return function () {
            return null;
          };
        },
      },
    };
  };
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: false,
    validatorUrl: null,
    supportedSubmitMethods: ["get"],
    plugins: [noInfo],
  });
})();
