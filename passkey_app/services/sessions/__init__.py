"""Server-side browser sessions: the opaque cookie id, sealed Cognito tokens, refresh,
revalidation, idle and absolute lifetimes."""
