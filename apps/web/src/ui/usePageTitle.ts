/** Sets the document title for the page shown (screen readers announce it on navigation). */
import { useEffect } from "react"

export const APP_NAME = "AdPlatform"

export const usePageTitle = (title: string): void => {
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`
  }, [title])
}
