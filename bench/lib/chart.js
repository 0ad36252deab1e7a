// @ts-check
/**
 * Draws the throughput chart (records/s per client, one panel per throughput scenario) from a results JSON with
 * Vega-Lite, rendered headless to SVG. Vega and Vega-Lite are installed by the harness into bench/.peers/npm-chart.
 *   node bench/lib/chart.js [bench/results/latest.json] [out.svg]
 */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * @param {{ results: Record<string, any>[], scenarios: Record<string, any> }} report
 * @param {string} prefix where vega and vega-lite are installed
 * @returns {Promise<string>} the SVG
 */
async function throughputChart(report, prefix) {
  const load = (/** @type {string} */ name) => import(pathToFileURL(path.join(prefix, 'node_modules', name, 'build', name === 'vega' ? 'vega.module.js' : 'index.js')).href);
  const vega = await load('vega');
  const vl = await load('vega-lite');
  const values = report.results
    .filter((r) => report.scenarios[r.scenario]?.kind === 'throughput' && r.recordsPerSec !== undefined)
    .map((r) => ({ scenario: report.scenarios[r.scenario].title.replace(/^Scenario \d+: /, `${r.scenario}: `), client: r.label, recordsPerSec: Math.round(r.recordsPerSec), ours: r.client.startsWith('ours') ? 'rx-kafka-cluster' : 'other clients' }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Consumer throughput, records/s (median of rounds; same broker, data and machine)',
    data: { values },
    facet: { row: { field: 'scenario', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
    spec: {
      width: 520,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'client', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 400 } },
        x: { field: 'recordsPerSec', type: 'quantitative', title: 'records/s', axis: { format: '~s' } },
        color: { field: 'ours', type: 'nominal', title: null, scale: { domain: ['rx-kafka-cluster', 'other clients'], range: ['#d6604d', '#4393c3'] } },
      },
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
    config: { font: 'sans-serif' },
  };
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  return view.toSVG();
}

module.exports = { throughputChart };

if (require.main === module) {
  const input = process.argv[2] || path.join(__dirname, '..', 'results', 'latest.json');
  const out = process.argv[3] || input.replace(/\.json$/, '.svg');
  throughputChart(JSON.parse(fs.readFileSync(input, 'utf8')), path.join(__dirname, '..', '.peers', 'npm-chart'))
    .then((svg) => {
      fs.writeFileSync(out, svg);
      process.stderr.write(`wrote ${out}\n`);
    })
    .catch((e) => {
      process.stderr.write(`chart: ${e && e.stack ? e.stack : e}\n`);
      process.exit(1);
    });
}
