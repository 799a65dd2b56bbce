/* The preview's chart, drawn with Chart.js from the figures the page
   carries (the same figures as its table "The chart as a table"), numbers
   in the reader's format (the page gives its group and decimal signs).
   Without JavaScript the page still works: its form and links do; a new
   choice of chart is drawn with the form's button (no change of page on a
   mere selection, WCAG 3.2.2). */
(function () {
  "use strict";
  var COLOURS = ["#a3141c", "#0b5394", "#1a7f37", "#8250df", "#bc4c00",
                 "#57606a", "#0a7d8c", "#9a6700"];

  function formatter(figures) {
    return function (value) {
      if (value === null || value === undefined || isNaN(value)) { return "—"; }
      var parts = String(Math.round(value * 1e6) / 1e6).split(".");
      var negative = parts[0].charAt(0) === "-";
      var digits = negative ? parts[0].slice(1) : parts[0];
      var grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, figures.group);
      return (negative ? "-" : "") + grouped + (parts[1] ? figures.decimal + parts[1] : "");
    };
  }

  function draw(figure) {
    var canvas = figure.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") { return; }
    var figures = JSON.parse(figure.getAttribute("data-kg-chart"));
    var show = formatter(figures);
    var line = figures.kind === "line";
    new Chart(canvas, {
      type: line ? "line" : "bar",  /* "region": bars, one per region */
      data: {
        labels: figures.labels,
        datasets: figures.series.map(function (series, i) {
          var colour = COLOURS[i % COLOURS.length];
          return {label: series.name, data: series.values, borderColor: colour,
                  backgroundColor: colour, spanGaps: true, pointRadius: line ? 2 : 0};
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {
          legend: {display: figures.series.length > 1},
          tooltip: {callbacks: {label: function (item) {
            return item.dataset.label + ": " + show(item.parsed.y);
          }}}
        },
        scales: {
          x: {title: {display: true, text: figures.x}},
          y: {title: {display: true, text: figures.y}, beginAtZero: !line,
              ticks: {callback: function (value) { return show(value); }}}
        }
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-kg-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
