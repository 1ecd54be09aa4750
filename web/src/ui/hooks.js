import { useCallback, useEffect, useRef, useState } from "@bpmn-io/properties-panel/preact/hooks";

/** Loads once per change of `deps`: {data, error, loading, reload}. A stale answer is dropped. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const serial = useRef(0);
  const reload = useCallback(
    async ({ quiet = false } = {}) => {
      const mine = ++serial.current;
      if (!quiet) setState((old) => ({ ...old, loading: true }));
      try {
        const data = await load();
        if (mine === serial.current) setState({ data, error: null, loading: false });
      } catch (error) {
        if (mine === serial.current) setState((old) => ({ ...old, error, loading: false }));
      }
    },
    deps,
  );
  useEffect(() => {
    reload();
  }, [reload]);
  return { ...state, reload };
}

/** Calls `tick` every `ms` while `active`, waiting for one call to end before the next. */
export function usePolling(tick, ms, active) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let timer;
    const loop = async () => {
      await latest.current();
      if (!stopped) timer = setTimeout(loop, ms);
    };
    timer = setTimeout(loop, ms);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, ms]);
}

/** A form's submit: runs `action`, keeps the error (for field errors) and a busy flag. */
export function useSubmit(action) {
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (event) => {
    event?.preventDefault?.();
    setState({ busy: true, error: null });
    try {
      await action();
      setState({ busy: false, error: null });
      return true;
    } catch (error) {
      setState({ busy: false, error });
      return false;
    }
  };
  return { ...state, submit, clear: () => setState({ busy: false, error: null }) };
}
