// A tiny client-side router on the history API: three pages do not need a routing library.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

export type Route = { page: "editor" } | { page: "runs" } | { page: "run"; id: string } | { page: "missing" };

/** The page a path shows; trailing slashes are ignored. */
export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, "") || "/";
  if (clean === "/") return { page: "editor" };
  if (clean === "/runs") return { page: "runs" };
  const run = /^\/runs\/([^/]+)$/.exec(clean);
  if (run?.[1]) return { page: "run", id: decodeURIComponent(run[1]) };
  return { page: "missing" };
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/** An `<a>` that changes page without a reload (modified clicks still open a tab). */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...rest} />;
}
