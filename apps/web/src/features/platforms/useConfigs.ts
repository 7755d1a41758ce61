/** The caller's configs of one platform (and which is current), shared by the list and the editor. */
import { useQuery } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"
import { platformKeys, type Platform } from "./Platforms"

export const useConfigs = (userId: string, platform: Platform) => {
  const api = useApiClient()
  return useQuery({
    queryKey: platformKeys.configs(platform),
    queryFn: () => api.call("platforms.listConfigs", { params: { userId, platform } })
  })
}
