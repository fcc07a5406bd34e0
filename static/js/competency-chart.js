// The radar chart of a competency profile: the position's standard against the current level.
// A progressive enhancement: the gap table carries the same numbers, so without JavaScript or
// Chart.js nothing is lost, and the figure stays hidden.
(() => {
  const source = document.getElementById("competency-chart-data");
  const canvas = document.getElementById("competency-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
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
})();
