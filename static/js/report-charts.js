// Report pages: the print button, and bar charts drawn from the JSON blocks the page carries.
// A progressive enhancement: each chart repeats a table above it, so without JavaScript, on a
// phone (where Chart.js is not even downloaded) or on paper nothing is lost.
(() => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });

  const figures = Array.from(document.querySelectorAll("figure[data-chart]"));
  const library = document.getElementById("chart-lib");
  if (!figures.length || !library || !window.matchMedia("(min-width: 576px)").matches) {
    return;
  }
  const colours = ["#0b5d4b", "#d97706", "#2563eb", "#9333ea"];

  const draw = () => {
    figures.forEach((figure) => {
      const source = document.getElementById(figure.dataset.chart);
      const canvas = figure.querySelector("canvas");
      if (!source || !canvas) {
        return;
      }
      const spec = JSON.parse(source.textContent);
      if (!spec.labels.length) {
        return;
      }
      // many bars read better lying down, one line of label each
      const horizontal = spec.labels.length > 6;
      const box = figure.querySelector(".report-chart-box");
      box.style.height = horizontal ? `${Math.max(10, spec.labels.length * 1.6 + 3)}rem` : "18rem";
      figure.hidden = false;
      const valueAxis = spec.percent
        ? { min: 0, max: 100, ticks: { callback: (value) => `${value}%` } }
        : { beginAtZero: true, ticks: { precision: 0 } };
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map((dataset, i) => ({
            ...dataset,
            backgroundColor: colours[i % colours.length],
          })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          scales: { [horizontal ? "x" : "y"]: valueAxis },
          plugins: {
            legend: { display: spec.datasets.length > 1 },
            tooltip: {
              callbacks: {
                title: (items) => {
                  const i = items[0].dataIndex;
                  return spec.titles ? `${spec.labels[i]} ${spec.titles[i]}` : spec.labels[i];
                },
                label: (item) => `${item.dataset.label}: ${item.formattedValue}`,
              },
            },
          },
        },
      });
    });
  };

  if (typeof window.Chart !== "undefined") {
    draw();
    return;
  }
  const script = document.createElement("script");
  script.src = library.dataset.src;
  script.addEventListener("load", draw);
  document.head.appendChild(script);
})();
