using Dapper;
using Fleet.Api.Pipeline;
using Fleet.Contracts;

namespace Fleet.Api.Accounts;

/// <summary>Accounts: register, log in, read and update one's own profile. Accounts are personal data.</summary>
internal static class AccountEndpoints
{
    private const string Tag = "accounts";

    public static IEnumerable<ApiOperation> Operations() =>
    [
        new("accounts.register", "POST", "/api/v1/accounts", "Register an account.", Tag, ApiAccess.Anonymous,
            "RegisterRequest", [], new ApiSuccess(201, "The account was created.", "Account"), [409], Idempotent: true, RegisterAsync),
        new("accounts.login", "POST", "/api/v1/tokens", "Log in: exchange e-mail and password for a bearer token.", Tag, ApiAccess.Anonymous,
            "LoginRequest", [], new ApiSuccess(200, "A bearer token.", "Token"), [401], Idempotent: false, LoginAsync),
        new("accounts.me.get", "GET", "/api/v1/me", "Read your own profile.", Tag, ApiAccess.Authenticated,
            null, [], new ApiSuccess(200, "Your profile.", "Account"), [404], Idempotent: false, GetMeAsync),
        new("accounts.me.update", "PATCH", "/api/v1/me", "Update your own profile.", Tag, ApiAccess.Authenticated,
            "UpdateProfileRequest", [], new ApiSuccess(200, "The updated profile.", "Account"), [404], Idempotent: false, UpdateMeAsync),
    ];

    private static async Task<ApiResult> RegisterAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadBody<RegisterRequest>();
        var rules = new TextRules();
        var email = rules.Email("email", request.Email);
        var password = rules.Password("password", request.Password);
        var displayName = rules.Text("displayName", request.DisplayName, 1, Limits.DisplayNameMaxLength);
        rules.ThrowIfInvalid();

        // Hash before the transaction: 50 ms of CPU must not hold a connection and row locks.
        var (hash, salt, iterations) = PasswordHasher.Hash(password);
        var role = context.Services.Editors.Contains(email) ? Caller.EditorRole : Caller.MemberRole;
        return await context.WriteAsync(async (connection, transaction) =>
        {
            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            long id;
            try
            {
                id = await Sql.InsertAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO accounts (email, display_name, role, password_hash, password_salt, password_iterations, version, created_at, updated_at)
                    VALUES (@email, @displayName, @role, @hash, @salt, @iterations, 1, @now, @now)
                    """,
                    new { email, displayName, role, hash, salt, iterations, now },
                    cancellationToken);
            }
            catch (System.Data.Common.DbException ex) when (DbErrors.IsDuplicateKey(ex))
            {
                throw new ApiProblemException(ApiProblem.Conflict("An account with this e-mail already exists."));
            }

            var account = new AccountDto(id, email, displayName, role, 1, now, now);
            context.AddEvent(EventTypes.AccountRegistered, "account", id, 1, personal: true, account);
            return ApiResult.Created(account, "/api/v1/me");
        }, cancellationToken);
    }

    private static async Task<ApiResult> LoginAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadBody<LoginRequest>();
        var rules = new TextRules();
        var email = rules.Email("email", request.Email);
        var password = rules.Password("password", request.Password);
        rules.ThrowIfInvalid();

        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            AccountRow.Select + " WHERE email = @email", new { email }, cancellationToken: cancellationToken));

        // One answer for "no such account" and "wrong password", so log-in cannot probe which e-mails exist.
        if (row is null || !PasswordHasher.Verify(password, row.PasswordHash, row.PasswordSalt, row.PasswordIterations))
        {
            throw new ApiProblemException(ApiProblem.Unauthorized("The e-mail or password is wrong."));
        }

        var (token, expiresAt) = context.Services.Tokens.Issue(new Caller(row.Id, row.Email, row.Role));
        return ApiResult.Ok(new TokenDto(token, "Bearer", expiresAt));
    }

    private static async Task<ApiResult> GetMeAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            AccountRow.Select + " WHERE id = @AccountId", new { caller.AccountId }, cancellationToken: cancellationToken))
            ?? throw new ApiProblemException(ApiProblem.NotFound("The account no longer exists."));
        return ApiResult.Ok(row.ToDto());
    }

    private static async Task<ApiResult> UpdateMeAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var request = context.ReadBody<UpdateProfileRequest>();
        var rules = new TextRules();
        var displayName = rules.Text("displayName", request.DisplayName, 1, Limits.DisplayNameMaxLength);
        rules.ThrowIfInvalid();

        return await context.WriteAsync(async (connection, transaction) =>
        {
            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE accounts SET display_name = @displayName, version = version + 1, updated_at = @now WHERE id = @AccountId",
                new { displayName, now, caller.AccountId },
                transaction,
                cancellationToken: cancellationToken));
            if (updated == 0)
            {
                throw new ApiProblemException(ApiProblem.NotFound("The account no longer exists."));
            }

            var row = await connection.QuerySingleAsync<AccountRow>(new CommandDefinition(
                AccountRow.Select + " WHERE id = @AccountId", new { caller.AccountId }, transaction, cancellationToken: cancellationToken));
            var account = row.ToDto();
            context.AddEvent(EventTypes.AccountProfileUpdated, "account", row.Id, row.Version, personal: true, account);
            return ApiResult.Ok(account);
        }, cancellationToken);
    }

    internal sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);

    internal sealed record LoginRequest(string? Email, string? Password);

    internal sealed record UpdateProfileRequest(string? DisplayName);

    internal sealed record TokenDto(string AccessToken, string TokenType, DateTimeOffset ExpiresAt);

    internal sealed record AccountDto(long Id, string Email, string DisplayName, string Role, int Version, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public DateTime CreatedAt { get; } = DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc);

        public DateTime UpdatedAt { get; } = DateTime.SpecifyKind(UpdatedAt, DateTimeKind.Utc);
    }

    internal sealed class AccountRow
    {
        public const string Select =
            """
            SELECT id AS Id, email AS Email, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash,
                   password_salt AS PasswordSalt, password_iterations AS PasswordIterations, version AS Version,
                   created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM accounts
            """;

        public long Id { get; set; }

        public string Email { get; set; } = string.Empty;

        public string DisplayName { get; set; } = string.Empty;

        public string Role { get; set; } = string.Empty;

        public byte[] PasswordHash { get; set; } = [];

        public byte[] PasswordSalt { get; set; } = [];

        public int PasswordIterations { get; set; }

        public int Version { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public AccountDto ToDto() => new(Id, Email, DisplayName, Role, Version, CreatedAt, UpdatedAt);
    }
}
