// Job and result identity: the config hash of the resolved cell plus the
// emulator version that runs it. Two cells with the same identity are the same
// experiment, so the queue runs it once and the database keeps one result.
// BullMQ forbids ':' in custom job ids; versions are reduced to [A-Za-z0-9._-].

export function cellJobId(configHash: string, emulatorVersion: string): string {
  if (!/^[0-9a-f]{16,128}$/i.test(configHash)) throw new Error(`config hash '${configHash}' is not a hex digest`);
  const version = emulatorVersion.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!version) throw new Error('emulator version is empty');
  return `cell-${version}-${configHash}`;
}

export function sweepJobId(sweepId: string): string {
  return `sweep-${sweepId}`;
}
