// @ts-check
/**
 * Runs one client as its own process and measures it from outside: CPU seconds (user + system) and peak RSS of
 * that process, through GNU time (`/usr/bin/time -f`), or by sampling /proc/<pid>/{stat,status} when GNU time is
 * absent. The client prints `RESULT {json}` on stdout (bench/clients/common.js); stderr is kept for the report.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = fs.existsSync(GNU_TIME);
const CLK_TCK = 100;

/** @param {number} pid */
function procSample(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime (fields 14, 15)
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return undefined;
  }
}

/**
 * @param {string} cmd @param {string[]} args
 * @param {{ timeoutMs: number, env?: NodeJS.ProcessEnv, cwd?: string, label?: string }} opts
 * @returns {Promise<{ result?: Record<string, any>, exitCode: number | null, signal: string | null, wallSeconds: number, cpuSeconds?: number, peakRssMb?: number, stderrTail: string, error?: string }>}
 */
function measure(cmd, args, opts) {
  const timeFile = path.join(os.tmpdir(), `bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const [c, a] = hasGnuTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(c, a, { env: opts.env || process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    /** @type {{ cpu: number, hwmKb: number } | undefined} */
    let last;
    const sampler = hasGnuTime ? undefined : setInterval(() => (last = (child.pid && procSample(child.pid)) || last), 100);
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs + 30_000);
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      if (sampler) clearInterval(sampler);
      const wallSeconds = (Date.now() - started) / 1000;
      /** @type {number | undefined} */
      let cpuSeconds;
      /** @type {number | undefined} */
      let peakRssMb;
      if (hasGnuTime) {
        try {
          const line = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() || '';
          const [u, s, m] = line.split(/\s+/).map(Number);
          if (Number.isFinite(u) && Number.isFinite(s)) cpuSeconds = Number(u) + Number(s);
          if (Number.isFinite(m)) peakRssMb = Number(m) / 1024;
        } catch {
          /* no time output: the child was killed */
        }
        fs.rmSync(timeFile, { force: true });
      } else if (last) {
        cpuSeconds = last.cpu;
        peakRssMb = last.hwmKb / 1024;
      }
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      /** @type {Record<string, any> | undefined} */
      let result;
      try {
        result = line ? JSON.parse(line.slice(7)) : undefined;
      } catch {
        result = undefined;
      }
      const stderrTail = stderr.trim().split('\n').slice(-8).join('\n');
      const error = timedOut
        ? `killed after ${opts.timeoutMs + 30_000} ms`
        : result?.error || (!result ? `no RESULT line (exit ${exitCode}${signal ? `, ${signal}` : ''}): ${stderrTail.slice(-300)}` : undefined);
      resolve({ result, exitCode, signal, wallSeconds, cpuSeconds, peakRssMb, stderrTail, error });
    });
  });
}

module.exports = { measure, hasGnuTime };
