/** The caller's own user (GET /api/users/me) and its editable part (PUT /api/users/{userId}). */
import type { ResponseOf, RouteNamed } from "@app/api"
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useApiClient } from "../session/SessionContext"
import { Button } from "../ui/Button"
import { Field } from "../ui/Field"
import { FormErrors } from "../ui/FormErrors"
import { QueryView } from "../ui/QueryView"
import { useFormMutation } from "../ui/useFormMutation"
import { usePageTitle } from "../ui/usePageTitle"

type Me = ResponseOf<RouteNamed<"users.me">>

export const meQueryKey = ["users", "me"] as const

export const ProfilePage = () => {
  usePageTitle("Profile")
  const api = useApiClient()
  const me = useQuery({ queryKey: meQueryKey, queryFn: () => api.call("users.me") })
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">Profile</h1>
      <QueryView query={me} loadingLabel="Loading your profile…" errorTitle="Could not load your profile">
        {(user) => <ProfileForm key={user.updatedAt} user={user} />}
      </QueryView>
    </section>
  )
}

interface ProfileInput {
  readonly name: string
  readonly title: string
  readonly bio: string
  readonly competencies: string
}

const nonEmpty = <K extends string>(key: K, value: string): { readonly [P in K]?: string } =>
  (value.trim() === "" ? {} : { [key]: value.trim() }) as { readonly [P in K]?: string }

const ProfileForm = ({ user }: { readonly user: Me }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [name, setName] = useState(user.name)
  const [title, setTitle] = useState(user.profile.title ?? "")
  const [bio, setBio] = useState(user.profile.bio ?? "")
  const [competencies, setCompetencies] = useState((user.profile.competencies ?? []).join(", "))
  const [saved, setSaved] = useState(false)

  const form = useFormMutation({
    fields: ["name", "profile.title", "profile.bio", "profile.competencies"],
    validate: (input: ProfileInput) => ({ name: input.name.trim() === "" ? "Enter your name" : undefined }),
    mutationFn: (input: ProfileInput) => {
      setSaved(false)
      const list = input.competencies.split(",").map((c) => c.trim()).filter((c) => c !== "")
      return api.call("users.update", {
        params: { userId: user.userId },
        body: {
          name: input.name,
          profile: {
            // Fields this form does not edit are kept as they are.
            ...(user.profile.avatarUrl === undefined ? {} : { avatarUrl: user.profile.avatarUrl }),
            ...nonEmpty("title", input.title),
            ...nonEmpty("bio", input.bio),
            ...(list.length === 0 ? {} : { competencies: list })
          }
        }
      })
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(meQueryKey, updated)
      setSaved(true)
    }
  })

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name, title, bio, competencies })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="profile-form">
      <dl className="facts">
        <dt>Email</dt>
        <dd>{user.email} {user.emailVerified ? "(verified)" : "(not verified)"}</dd>
        <dt>Member since</dt>
        <dd>{new Date(user.createdAt).toLocaleDateString()}</dd>
      </dl>
      <FormErrors problem={form.problem} />
      {saved ? <p role="status" className="notice">Profile saved.</p> : null}
      <Field label="Name" name="name" autoComplete="name" required value={name}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Field label="Title" name="profile.title" value={title}
        onChange={(e) => setTitle(e.target.value)} error={form.fieldError("profile.title")} />
      <Field label="Bio" name="profile.bio" error={form.fieldError("profile.bio")}>
        {(control) => <textarea {...control} rows={4} value={bio} onChange={(e) => setBio(e.target.value)} />}
      </Field>
      <Field label="Competencies" name="profile.competencies" hint="Separated by commas"
        value={competencies} onChange={(e) => setCompetencies(e.target.value)} error={form.fieldError("profile.competencies")} />
      <Button type="submit" busy={form.busy} busyLabel="Saving…">Save profile</Button>
    </form>
  )
}
