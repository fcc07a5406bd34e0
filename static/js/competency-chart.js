// The radar chart of a competency profile: the position's standard against the current level.
// A progressive enhancement: the gap table carries the same numbers, so without JavaScript or
// Chart.js nothing is lost, and the figure stays hidden. Wide screens get the chart at once;
// phones (often on a metered 3G connection) download Chart.js only when asked to.
(() => {
  const source = document.getElementById("competency-chart-data");
  const canvas = document.getElementById("competency-chart");
  const library = document.getElementById("chart-lib");
  const button = document.querySelector("[data-show-chart]");
  if (!source || !canvas || !library) {
    return;
  }
  const load = () => {
    if (button) button.hidden = true;
    const script = document.createElement("script");
    script.src = library.dataset.src;
    script.onload = draw;
    document.head.appendChild(script);
  };
  if (window.matchMedia("(min-width: 576px)").matches) {
    load();
  } else if (button) {
    button.hidden = false;
    button.addEventListener("click", load);
  }

  function draw() {
    const data = JSON.parse(source.textContent);
    const figure = canvas.closest("figure");
    figure.hidden = false;
    new window.Chart(canvas, {
      type: "radar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.required_label,
            data: data.required,
            borderColor: "#0b5d4b",
            backgroundColor: "rgba(11, 93, 75, 0.15)",
            borderDash: [6, 4],
            pointRadius: 3,
          },
          {
            label: data.current_label,
            data: data.current,
            borderColor: "#d97706",
            backgroundColor: "rgba(217, 119, 6, 0.25)",
            pointRadius: 3,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: true,
        aspectRatio: 1,
        scales: {
          r: { min: 0, max: 5, ticks: { stepSize: 1, backdropColor: "transparent" } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => {
                const i = items[0].dataIndex;
                return `${data.labels[i]} ${data.names[i]}`;
              },
            },
          },
        },
      },
    });
  }
})();
