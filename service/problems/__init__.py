"""The pages problem `type` URIs point at: one per problem type the API answers with."""
