/** The app state and controller, handed to components through one context. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Controller } from "../controller.ts";
import type { AppState } from "../state/app-state.ts";

export interface AppContextValue {
  state: AppState;
  ctl: Controller;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (v === null) throw new Error("useApp outside AppContext");
  return v;
}
