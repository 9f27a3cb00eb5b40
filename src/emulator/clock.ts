/** The emulator clock: real time plus an offset that tests can move. */
export interface EmulatorClock {
  now(): number;
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function createClock(startTime?: number): EmulatorClock {
  let offset = startTime === undefined ? 0 : startTime - Date.now();
  const finite = (value: number, name: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`clock.${name} needs a finite number of milliseconds`);
    return value;
  };
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += finite(ms, 'advance');
    },
    set(epochMs) {
      offset = finite(epochMs, 'set') - Date.now();
    },
  };
}
