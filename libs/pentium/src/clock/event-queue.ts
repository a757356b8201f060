// The device event queue: callbacks due at a cycle, kept in a binary min-heap ordered
// by (cycle, insertion sequence), so events due at the same cycle fire in the order
// they were scheduled — the run is a pure function of its inputs. Cancellation is lazy
// (the entry is marked and skipped when it reaches the top).
export { CycleClock } from './cycle-clock';

export interface EventHandle {
  /** the cycle the event is due at */
  readonly at: number;
}

const PENDING = 0;
const CANCELLED = 1;
const FIRED = 2;

class Entry implements EventHandle {
  state = PENDING;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fire: (atCycle: number) => void,
  ) {}
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private live = 0;

  /** Schedule `fire` at `atCycle` (it receives that cycle). A past cycle fires at the next runDue. */
  schedule(atCycle: number, fire: (atCycle: number) => void): EventHandle {
    if (!Number.isFinite(atCycle)) throw new Error(`EventQueue.schedule: cycle must be a finite number, got ${atCycle}`);
    const e = new Entry(atCycle, this.seq++, fire);
    this.push(e);
    this.live++;
    return e;
  }

  /** Cancel a scheduled event; cancelling a fired or cancelled event does nothing. */
  cancel(handle: EventHandle): void {
    if (!(handle instanceof Entry)) throw new Error('EventQueue.cancel: not a handle of this queue');
    if (handle.state !== PENDING) return;
    handle.state = CANCELLED;
    this.live--;
    this.dropCancelledTop();
  }

  /** The cycle of the earliest pending event, or Infinity. */
  get nextEventCycle(): number {
    this.dropCancelledTop();
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  /** Number of pending (not cancelled, not fired) events. */
  get size(): number {
    return this.live;
  }

  /**
   * Fire, in (cycle, scheduling order), every event due at or before `now`, including
   * events those callbacks schedule at or before `now`. Returns how many fired.
   */
  runDue(now: number): number {
    let fired = 0;
    const heap = this.heap;
    while (heap.length > 0 && heap[0].at <= now) {
      const e = this.pop();
      if (e.state !== PENDING) continue;
      e.state = FIRED;
      this.live--;
      fired++;
      e.fire(e.at);
    }
    return fired;
  }

  /** Drop every pending event. */
  clear(): void {
    for (const e of this.heap) if (e.state === PENDING) e.state = CANCELLED;
    this.heap.length = 0;
    this.live = 0;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].state !== PENDING) this.pop();
  }

  private push(e: Entry): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
