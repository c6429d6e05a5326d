// Loaded on pages with ipywidgets, after require.js and before the ipywidgets HTML
// manager (see nb_ipywidgets_js in _config.yml); served from the site's vendor/ folder.
(function () {
  "use strict";
  // 0. The theme's fontawesome.js (deferred, so it runs after this script) watches the
  //    page and swaps every <i class="fa ..."> for an <svg>, including the icon of the
  //    ipywidgets Play button, whose code then fails on getElementsByTagName("i")[0].
  //    Icons present at load are still replaced; widget icons keep the FA 4 font.
  window.FontAwesomeConfig = Object.assign({}, window.FontAwesomeConfig, {
    observeMutations: false,
  });

  // 1. The HTML manager (embed-amd.js) defines named AMD modules such as
  //    "@jupyter-widgets/controls" and "@jupyter-widgets/html-manager/dist/libembed-amd",
  //    and each loads its Font Awesome fonts from the folder of its own module URL.
  //    RequireJS resolves those names against the page's folder by default; map them
  //    all to vendor/html-manager/, where tools/vendor_assets.py put the fonts.
  var here = document.currentScript.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
  window.require.config({
    paths: {
      "@jupyter-widgets": here + "html-manager",
      "@jupyter-widgets/html-manager/dist": here + "html-manager",
    },
  });

  // 2. ipywidgets typesets LaTeX in widget labels with MathJax 2's API,
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site runs MathJax 3,
  //    whose configuration (Sphinx's) knows only \( \) and \[ \] as delimiters.
  //    Give every MathJax object a Hub whose Queue rewrites $...$ and $$...$$ in the
  //    text of that element (only there) and typesets it with MathJax 3.
  function rewriteDollars(element) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var nodes = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    nodes.forEach(function (text) {
      if (text.parentElement && text.parentElement.closest("code, pre, script, style")) return;
      text.nodeValue = text.nodeValue
        .replace(/\$\$([^$]+)\$\$/g, "\\[$1\\]")
        .replace(/\$([^$\n]+)\$/g, "\\($1\\)");
    });
  }
  var hub = {
    Queue: function () {
      var elements = [];
      for (var i = 0; i < arguments.length; i++) {
        var command = arguments[i];
        if (Array.isArray(command) && command[0] === "Typeset" && command[2]) {
          elements.push(command[2]);
        }
      }
      var mathjax = window.MathJax;
      if (!elements.length || !mathjax || !mathjax.startup || !mathjax.startup.promise) {
        return;
      }
      elements.forEach(rewriteDollars);
      mathjax.startup.promise = mathjax.startup.promise.then(function () {
        return mathjax.typesetPromise(elements);
      });
    },
  };
  function addHub(value) {
    if (value && typeof value === "object" && !("Hub" in value)) {
      Object.defineProperty(value, "Hub", { value: hub, configurable: true });
    }
    return value;
  }
  var current = addHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = addHub(value);
    },
  });
})();
