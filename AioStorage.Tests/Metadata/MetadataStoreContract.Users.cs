using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [ContractFact]
    public async Task A_user_is_found_by_id_and_by_email_and_username_in_any_case()
    {
        var user = await CreatedAsync(NewUser() with { Email = $"Mixed.Case.{NewId()}@Example.TEST" });

        Assert.Equal(user, await Users.GetByIdAsync(user.Id, Ct));
        Assert.Equal(user, await Users.GetByEmailAsync(user.Email, Ct));
        Assert.Equal(user, await Users.GetByEmailAsync(user.Email.ToUpperInvariant(), Ct));
        Assert.Equal(user, await Users.GetByEmailAsync(user.Email.ToLowerInvariant(), Ct));
        Assert.Equal(user, await Users.GetByUsernameAsync(user.Username.ToUpperInvariant(), Ct));
    }

    [ContractFact]
    public async Task Unknown_users_are_null()
    {
        await CreatedAsync(NewUser());

        Assert.Null(await Users.GetByIdAsync(NewId(), Ct));
        Assert.Null(await Users.GetByEmailAsync($"nobody.{NewId()}@example.test", Ct));
        Assert.Null(await Users.GetByUsernameAsync($"nobody_{NewId()}", Ct));
    }

    [ContractFact]
    public async Task Times_come_back_as_the_same_instant_in_utc_to_the_millisecond()
    {
        var local = new DateTimeOffset(2025, 6, 1, 12, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4_567);
        var user = await CreatedAsync(NewUser() with { CreatedAt = local, UpdatedAt = local });

        var stored = await Users.GetByIdAsync(user.Id, Ct);

        Assert.NotNull(stored);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 10, 0, 0, 123, TimeSpan.Zero), stored.CreatedAt);
        Assert.Equal(TimeSpan.Zero, stored.CreatedAt.Offset);
    }

    [ContractFact]
    public async Task A_taken_email_is_a_conflict_on_email_whatever_its_case()
    {
        var first = await CreatedAsync(NewUser());
        var second = NewUser() with { Email = first.Email.ToUpperInvariant() };

        var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Users.CreateAsync(second, Ct));

        Assert.Equal("email", conflict.Field);
        Assert.Null(await Users.GetByIdAsync(second.Id, Ct));
        Assert.Null(await Users.GetByUsernameAsync(second.Username, Ct));
    }

    [ContractFact]
    public async Task A_taken_username_is_a_conflict_on_username_whatever_its_case()
    {
        var first = await CreatedAsync(NewUser());
        var second = NewUser() with { Username = first.Username.ToUpperInvariant() };

        var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Users.CreateAsync(second, Ct));

        Assert.Equal("username", conflict.Field);
        Assert.Null(await Users.GetByIdAsync(second.Id, Ct));
        Assert.Null(await Users.GetByEmailAsync(second.Email, Ct));
    }

    [ContractFact]
    public async Task A_user_clashing_on_email_and_username_is_told_about_the_email_and_a_reused_id_about_the_id()
    {
        var first = await CreatedAsync(NewUser());

        var both = await Assert.ThrowsAsync<MetadataConflictException>(() =>
            Users.CreateAsync(NewUser() with { Email = first.Email, Username = first.Username }, Ct));
        var sameId = await Assert.ThrowsAsync<MetadataConflictException>(() => Users.CreateAsync(NewUser() with { Id = first.Id }, Ct));

        Assert.Equal("email", both.Field);
        Assert.Equal("id", sameId.Field);
        Assert.Equal(first, await Users.GetByIdAsync(first.Id, Ct));
    }

    [ContractFact]
    public async Task A_reservation_that_exactly_fits_passes_and_one_byte_more_does_not()
    {
        var user = await CreatedAsync(NewUser(quota: 1_000, used: 400));

        Assert.False(await Users.TryReserveStorageAsync(user.Id, 601, T(1), Ct));
        Assert.Equal(400, await StorageUsedAsync(user.Id));

        Assert.True(await Users.TryReserveStorageAsync(user.Id, 600, T(2), Ct));
        var full = await Users.GetByIdAsync(user.Id, Ct);
        Assert.Equal(1_000, full!.StorageUsed);
        Assert.Equal(T(2), full.UpdatedAt);

        Assert.False(await Users.TryReserveStorageAsync(user.Id, 1, T(3), Ct));
        Assert.True(await Users.TryReserveStorageAsync(user.Id, 0, T(3), Ct));
        Assert.Equal(1_000, await StorageUsedAsync(user.Id));
    }

    [ContractFact]
    public async Task A_reservation_for_an_unknown_user_fails_and_creates_nobody()
    {
        var id = NewId();

        Assert.False(await Users.TryReserveStorageAsync(id, 1, T(1), Ct));
        Assert.Null(await Users.GetByIdAsync(id, Ct));
    }

    [ContractFact]
    public async Task Of_fifty_parallel_reservations_exactly_those_that_fit_pass_and_the_usage_is_exact()
    {
        var user = await CreatedAsync(NewUser(quota: 25 * 100 + 99));

        var results = await InParallelResults(50, _ => Users.TryReserveStorageAsync(user.Id, 100, T(1), Ct));

        Assert.Equal(25, results.Count(passed => passed));
        Assert.Equal(2_500, await StorageUsedAsync(user.Id));
    }

    [ContractFact]
    public async Task Parallel_adjustments_add_up_exactly_whatever_the_quota()
    {
        var user = await CreatedAsync(NewUser(quota: 10));

        await InParallel(40, i => Users.AdjustStorageUsedAsync(user.Id, i + 1, T(1), Ct));
        Assert.Equal(820, await StorageUsedAsync(user.Id));

        await InParallel(30, _ => Users.AdjustStorageUsedAsync(user.Id, -20, T(2), Ct));
        Assert.Equal(220, await StorageUsedAsync(user.Id));
    }

    [ContractFact]
    public async Task The_usage_never_goes_below_zero()
    {
        var user = await CreatedAsync(NewUser(used: 100));

        await Users.AdjustStorageUsedAsync(user.Id, -250, T(1), Ct);
        Assert.Equal(0, await StorageUsedAsync(user.Id));

        await Users.AdjustStorageUsedAsync(user.Id, 30, T(2), Ct);
        Assert.Equal(30, await StorageUsedAsync(user.Id));

        await Users.AdjustStorageUsedAsync(user.Id, 470, T(3), Ct);
        await InParallel(20, _ => Users.AdjustStorageUsedAsync(user.Id, -100, T(4), Ct));
        var emptied = await Users.GetByIdAsync(user.Id, Ct);
        Assert.Equal(0, emptied!.StorageUsed);
        Assert.Equal(T(4), emptied.UpdatedAt);
    }

    [ContractFact]
    public async Task No_reader_ever_sees_a_negative_usage_while_releases_race_with_increases()
    {
        // The end value of racing releases and increases depends on their order, so what is checked is the invariant
        // every order keeps: the usage is never negative, not even for a moment between the steps of one adjustment.
        var user = await CreatedAsync(NewUser(used: 10));
        var writers = InParallel(40, i => Users.AdjustStorageUsedAsync(user.Id, i % 2 == 0 ? -50 : 30, T(1), Ct));
        var seen = new List<long>();
        while (!writers.IsCompleted)
        {
            seen.Add(await StorageUsedAsync(user.Id));
        }

        await writers;
        seen.Add(await StorageUsedAsync(user.Id));

        Assert.All(seen, used => Assert.InRange(used, 0, 10 + (20 * 30)));
    }

    [ContractFact]
    public async Task Adjusting_an_unknown_user_creates_nobody()
    {
        var id = NewId();

        await Users.AdjustStorageUsedAsync(id, 10, T(1), Ct);
        await Users.AdjustStorageUsedAsync(id, -10, T(1), Ct);

        Assert.Null(await Users.GetByIdAsync(id, Ct));
    }
}
