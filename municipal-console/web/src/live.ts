/**
 * Server-Sent Events as hooks. The server batches and throttles (LiveHub); the browser also
 * coalesces bursts into one render per animation frame, so thousands of updates a second never
 * queue up renders. Before its first connection a stream is `connecting`, not offline: a view
 * says 「接続中…」 then, never 「再接続中…」 (issue 19, item 3).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export function useSse<T>(
  url: string | null,
  event: string,
  reduce: (prev: T, data: unknown) => T,
  initial: T,
): { value: T; online: boolean; connecting: boolean; loaded: boolean } {
  const [value, setValue] = useState<T>(initial);
  const [online, setOnline] = useState(false);
  // no answer from the stream yet (neither open nor failed), and no event yet
  const [connecting, setConnecting] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const pending = useRef<unknown[]>([]);
  const frame = useRef<number | null>(null);
  useEffect(() => {
    setValue(initial);
    setConnecting(true);
    setLoaded(false);
    if (!url) return;
    const es = new EventSource(url, { withCredentials: true });
    es.onopen = () => {
      setOnline(true);
      setConnecting(false);
    };
    es.onerror = () => {
      setOnline(false);
      setConnecting(false);
    };
    es.addEventListener(event, (e) => {
      pending.current.push(JSON.parse((e as MessageEvent<string>).data));
      if (frame.current === null) {
        frame.current = requestAnimationFrame(() => {
          frame.current = null;
          const batch = pending.current;
          pending.current = [];
          setValue((prev) => batch.reduce<T>((acc, d) => reduce(acc, d), prev));
          setLoaded(true);
        });
      }
    });
    return () => {
      es.close();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
    };
  }, [url, event]);
  return { value, online, connecting, loaded };
}

/** Re-run a loader every `ms` (and when deps change); returns the latest result. */
export function usePoll<T>(
  load: () => Promise<T>,
  ms: number,
  deps: unknown[] = [],
): { data: T | undefined; error: Error | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    const run = () =>
      load().then(
        (d) => {
          if (!stop) {
            setData(d);
            setError(undefined);
          }
        },
        (e: Error) => {
          if (!stop) setError(e);
        },
      );
    run();
    const timer = ms > 0 ? setInterval(run, ms) : null;
    return () => {
      stop = true;
      if (timer) clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((x) => x + 1) };
}
