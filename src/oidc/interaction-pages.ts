// Where an app's authorization request meets Roster's sign-in. oidc-provider sends every
// authorization here (provider.ts, `loadExistingGrant`); this page decides, with Roster's own rules:
// - no Roster session: the browser goes through Roster's sign-in page (`/signin?next=…`: email
//   first, then SAML SSO for a verified domain or the password; "SSO required", deactivation and
//   the SSO checks apply as they do to the dashboard), and comes back here;
// - the organization: the one the app names (`organization`, a slug or id, or a `login_hint` that
//   is not an email), else the one the person just signed in to (Roster's sign-in already asked a
//   person in several), else the person's only one, else the person picks. A session opened by an
//   organization's SSO reaches that organization only, and a password session only organizations
//   that allow password sign-in (sign-in-policy.ts, as the dashboard's switcher);
// - then a grant for the app with the scopes asked, bound to that membership (its tokens carry that
//   organization's access), and the provider continues. Apps are registered by the operator and
//   trusted (first-party): there is no consent screen.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { recordAudit } from '../audit/record-audit.ts';
import { type DashboardContext, queryValue } from '../dashboard/context.ts';
import type { DashboardPages } from '../dashboard/dashboard-routes.ts';
import { html } from '../dashboard/html.ts';
import { csrfInput, redirect, sendPage } from '../dashboard/render.ts';
import { RosterError } from '../errors.ts';
import type { SessionPrincipal } from '../sign-in/sessions.ts';
import { organizationSwitchAllowed, switchableMemberships } from '../sign-in/sign-in-policy.ts';

/** A session's principal: always a person. */
type Person = SessionPrincipal & { userId: string };

function personOf(request: FastifyRequest): Person | undefined {
  const principal = request.sessionPrincipal;
  return principal?.userId ? { ...principal, userId: principal.userId } : undefined;
}

import type { MemberRow } from '../store/repos/members.ts';
import { field } from '../web/form-field.ts';
import { SCOPE_CLAIMS } from './access-claims.ts';
import { OIDC_PATH } from './provider.ts';
import type { ProviderHost } from './provider-host.ts';

type Details = Awaited<ReturnType<Awaited<ReturnType<ProviderHost['provider']>>['interactionDetails']>>;

function param(details: Details, name: string): string {
  const value = details.params[name];
  return typeof value === 'string' ? value.trim() : '';
}

async function loadDetails(host: ProviderHost, request: FastifyRequest, reply: FastifyReply, uid: string) {
  const provider = await host.provider();
  const details = await provider.interactionDetails(request.raw, reply.raw).catch(() => undefined);
  if (!details || details.uid !== uid) {
    throw new RosterError(
      'not_found',
      'This sign-in has expired or was already used. Go back to the app and sign in again.',
    );
  }
  return { provider, details };
}

export function interactionPages(host: ProviderHost): DashboardPages {
  return (scope, ctx) => {
    const path = `${OIDC_PATH}/interaction/:uid`;

    async function finish(
      request: FastifyRequest,
      reply: FastifyReply,
      loaded: Awaited<ReturnType<typeof loadDetails>>,
      principal: Person,
      member: MemberRow,
    ) {
      const { provider, details } = loaded;
      const clientId = param(details, 'client_id');
      const client = await ctx.store.oidc.getClient(clientId);
      const grant = new provider.Grant({ accountId: principal.userId, clientId });
      const scopes = param(details, 'scope')
        .split(' ')
        .filter((scope) => Object.hasOwn(SCOPE_CLAIMS, scope));
      grant.addOIDCScope(scopes.join(' '));
      const grantId = await grant.save();
      await ctx.store.transaction(async (tx) => {
        await tx.oidc.bindGrant(grantId, member.id);
        await recordAudit(tx, {
          organizationId: member.organization_id,
          actor: { type: 'session', id: member.id, label: principal.email },
          action: 'app.signed_in',
          target: { type: 'app', id: clientId, label: client?.name ?? clientId },
          after: { scopes },
          requestId: request.id,
        });
      });
      const result: InteractionResults = {
        login: {
          accountId: principal.userId,
          amr: [principal.session.sign_in_method === 'sso' ? 'sso' : 'pwd'],
        },
        consent: { grantId },
      };
      const to = await provider.interactionResult(request.raw, reply.raw, result, {
        mergeWithLastSubmission: false,
      });
      return redirect(reply, to);
    }

    async function refuse(
      request: FastifyRequest,
      reply: FastifyReply,
      loaded: Awaited<ReturnType<typeof loadDetails>>,
      description: string,
    ) {
      const to = await loaded.provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: description },
        { mergeWithLastSubmission: false },
      );
      return redirect(reply, to);
    }

    /** The membership the app named, if it named one and the session may use it; or why not. */
    async function named(principal: Person, requested: string): Promise<MemberRow | string> {
      const organization =
        (await ctx.store.organizations.getBySlug(requested)) ??
        (requested.length <= 100 ? await ctx.store.organizations.getById(requested) : undefined);
      const member = organization
        ? (await ctx.store.members.listForUser(principal.userId)).find(
            (row) => row.organization_id === organization.id && row.status === 'active' && row.role !== null,
          )
        : undefined;
      if (!member) return `${principal.email} is not an active member of the organization "${requested}"`;
      const decision = await organizationSwitchAllowed(ctx.store, principal.session, member);
      return decision.allowed ? member : decision.reason;
    }

    scope.get<{ Params: { uid: string } }>(path, async (request, reply) => {
      const loaded = await loadDetails(host, request, reply, request.params.uid);
      const hint = param(loaded.details, 'login_hint');
      const principal = personOf(request);
      if (!principal) {
        const email = hint.includes('@') ? `&email=${encodeURIComponent(hint)}` : '';
        const back = `${OIDC_PATH}/interaction/${request.params.uid}?signed_in=1`;
        return redirect(reply, `/signin?next=${encodeURIComponent(back)}${email}`);
      }
      const requested = param(loaded.details, 'organization') || (hint.includes('@') ? '' : hint);
      if (requested) {
        const member = await named(principal, requested);
        if (typeof member === 'string') return refuse(request, reply, loaded, member);
        return finish(request, reply, loaded, principal, member);
      }
      // Back from Roster's sign-in, which already asked a person in several organizations which
      // one: the organization of that sign-in, without asking twice.
      if (queryValue(request, 'signed_in') === '1') {
        const current = (await ctx.store.members.listForUser(principal.userId)).find(
          (row) => row.id === principal.membershipId,
        );
        if (current) return finish(request, reply, loaded, principal, current);
      }
      const choices = await switchableMemberships(ctx.store, principal.session);
      const [only] = choices;
      if (choices.length === 1 && only) return finish(request, reply, loaded, principal, only);
      if (choices.length === 0) return refuse(request, reply, loaded, 'the person has no active membership');
      return chooser(ctx, request, reply, principal, choices, param(loaded.details, 'client_id'));
    });

    scope.post<{ Params: { uid: string } }>(path, async (request, reply) => {
      const loaded = await loadDetails(host, request, reply, request.params.uid);
      const principal = personOf(request);
      if (!principal) return redirect(reply, `/signin?next=${encodeURIComponent(request.url)}`);
      const chosen = field(request.body, 'membership');
      const member = (await switchableMemberships(ctx.store, principal.session)).find(
        (row) => row.id === chosen,
      );
      if (!member) throw new RosterError('invalid_value', 'Pick one of your organizations.');
      const decision = await organizationSwitchAllowed(ctx.store, principal.session, member);
      if (!decision.allowed) throw new RosterError('forbidden', decision.reason);
      return finish(request, reply, loaded, principal, member);
    });
  };
}

async function chooser(
  ctx: DashboardContext,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: SessionPrincipal,
  choices: readonly MemberRow[],
  clientId: string,
) {
  const client = await ctx.store.oidc.getClient(clientId);
  const organizations = await Promise.all(
    choices.map(async (member) => ({
      member,
      organization: await ctx.store.organizations.getById(member.organization_id),
    })),
  );
  return sendPage(ctx, request, reply, {
    title: 'Choose an organization',
    plain: true,
    body: html`<h1>Choose an organization</h1>
      <p>Sign in to ${client?.name ?? 'the app'} as ${principal.email} with:</p>
      <form method="post" class="stack">
        ${csrfInput({ csrfToken: principal.session.csrf_token })}
        ${organizations.map(
          ({ member, organization }) =>
            html`<button type="submit" name="membership" value="${member.id}">${organization?.name ?? member.organization_id}</button>`,
        )}
      </form>`,
  });
}
