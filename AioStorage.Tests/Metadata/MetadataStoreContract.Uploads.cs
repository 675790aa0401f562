using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private static UploadSessionRecord NewUpload(string ownerId, long length = 1_000, UploadStatus status = UploadStatus.Active,
        DateTimeOffset? updatedAt = null, DateTimeOffset? expiresAt = null) =>
        new(NewId(), ownerId, NewId(), "movie.mkv", "video/x-matroska", length, 0, status, null, new Dictionary<string, string>(),
            T0, updatedAt ?? T0, expiresAt ?? T(3600));

    private static void AssertSameUpload(UploadSessionRecord? expected, UploadSessionRecord? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Metadata = actual.Metadata }, actual);
        Assert.Equal(expected.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task An_upload_session_comes_back_whole_and_only_to_its_owner()
    {
        var owner = NewId();
        var session = NewUpload(owner, 10_000_000_000) with
        {
            FolderId = null,
            MimeType = null,
            Metadata = new Dictionary<string, string>
            {
                ["filename"] = "Résumé.pdf",
                ["file.type"] = "application/pdf",
                ["$where"] = "1",
                ["empty"] = string.Empty,
            },
        };

        await Uploads.CreateAsync(session, Ct);

        AssertSameUpload(session, await Uploads.GetAsync(owner, session.Id, Ct));
        Assert.Null(await Uploads.GetAsync(NewId(), session.Id, Ct));
        Assert.Null(await Uploads.GetAsync(owner, NewId(), Ct));
        var reused = await Assert.ThrowsAsync<MetadataConflictException>(() => Uploads.CreateAsync(NewUpload(owner) with { Id = session.Id }, Ct));
        Assert.Equal("id", reused.Field);
    }

    [ContractFact]
    public async Task An_upload_advances_only_from_the_offset_it_is_at()
    {
        var owner = NewId();
        var session = NewUpload(owner);
        await Uploads.CreateAsync(session, Ct);

        Assert.Null(await Uploads.AdvanceAsync(session.Id, 10, 20, T(7200), T(1), Ct));
        Assert.Null(await Uploads.AdvanceAsync(NewId(), 0, 20, T(7200), T(1), Ct));
        var advanced = await Uploads.AdvanceAsync(session.Id, 0, 400, T(7200), T(2), Ct);
        var expected = session with { Offset = 400, ExpiresAt = T(7200), UpdatedAt = T(2) };
        AssertSameUpload(expected, advanced);
        AssertSameUpload(expected, await Uploads.GetAsync(owner, session.Id, Ct));

        Assert.Null(await Uploads.AdvanceAsync(session.Id, 0, 500, T(7300), T(3), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Uploads.AdvanceAsync(session.Id, 400, 300, T(7300), T(3), Ct));
        Assert.Equal(1_000, (await Uploads.AdvanceAsync(session.Id, 400, 1_000, T(7300), T(3), Ct))!.Offset);
    }

    [ContractFact]
    public async Task Of_eight_writers_advancing_from_the_same_offset_exactly_one_wins()
    {
        var owner = NewId();
        var session = NewUpload(owner);
        await Uploads.CreateAsync(session, Ct);
        await Uploads.AdvanceAsync(session.Id, 0, 100, T(7200), T(1), Ct);

        var results = await InParallelResults(8, i => Uploads.AdvanceAsync(session.Id, 100, 200 + i, T(7200), T(2), Ct));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Offset, (await Uploads.GetAsync(owner, session.Id, Ct))!.Offset);
    }

    [ContractFact]
    public async Task A_status_changes_only_from_the_expected_one_and_a_finished_upload_no_longer_advances()
    {
        var owner = NewId();
        var session = NewUpload(owner);
        await Uploads.CreateAsync(session, Ct);
        var fileId = NewId();

        Assert.Null(await Uploads.SetStatusAsync(session.Id, UploadStatus.Completed, UploadStatus.Expired, null, T(1), Ct));
        var completed = await Uploads.SetStatusAsync(session.Id, UploadStatus.Active, UploadStatus.Completed, fileId, T(2), Ct);
        AssertSameUpload(session with { Status = UploadStatus.Completed, FileId = fileId, UpdatedAt = T(2) }, completed);

        Assert.Null(await Uploads.SetStatusAsync(session.Id, UploadStatus.Active, UploadStatus.Terminated, null, T(3), Ct));
        Assert.Null(await Uploads.AdvanceAsync(session.Id, 0, 10, T(7200), T(3), Ct));
        AssertSameUpload(completed, await Uploads.GetAsync(owner, session.Id, Ct));

        var terminated = NewUpload(owner);
        await Uploads.CreateAsync(terminated, Ct);
        var results = await InParallelResults(8, _ => Uploads.SetStatusAsync(terminated.Id, UploadStatus.Active, UploadStatus.Terminated, null, T(4), Ct));
        AssertSameUpload(terminated with { Status = UploadStatus.Terminated, UpdatedAt = T(4) }, Assert.Single(results, r => r is not null));
        Assert.Null(await Uploads.SetStatusAsync(NewId(), UploadStatus.Active, UploadStatus.Terminated, null, T(4), Ct));
    }

    [ContractFact]
    public async Task A_deleted_upload_session_is_gone()
    {
        var owner = NewId();
        var session = NewUpload(owner);
        var kept = NewUpload(owner);
        await Uploads.CreateAsync(session, Ct);
        await Uploads.CreateAsync(kept, Ct);

        await Uploads.DeleteAsync(session.Id, Ct);
        await Uploads.DeleteAsync(session.Id, Ct);

        Assert.Null(await Uploads.GetAsync(owner, session.Id, Ct));
        AssertSameUpload(kept, await Uploads.GetAsync(owner, kept.Id, Ct));
    }

    [ContractFact]
    public async Task Active_uploads_of_every_user_past_their_expiry_are_listed_soonest_expired_first()
    {
        var stores = await FreshStoresAsync();
        async Task<UploadSessionRecord> CreatedUploadAsync(UploadSessionRecord session)
        {
            await stores.Uploads.CreateAsync(session, Ct);
            return session;
        }

        var second2 = await CreatedUploadAsync(NewUpload(NewId(), expiresAt: T(2)));
        var second1 = await CreatedUploadAsync(NewUpload(NewId(), expiresAt: T(1)));
        var second3 = await CreatedUploadAsync(NewUpload(NewId(), expiresAt: T(3)));
        await CreatedUploadAsync(NewUpload(NewId(), expiresAt: T(10)));
        await CreatedUploadAsync(NewUpload(NewId(), expiresAt: T(5)));
        await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Completed, expiresAt: T(1)));
        await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Terminated, expiresAt: T(1)));

        Assert.Equal([second1.Id, second2.Id, second3.Id], (await stores.Uploads.ListExpiredAsync(T(5), 10, Ct)).Select(s => s.Id));
        Assert.Equal([second1.Id, second2.Id], (await stores.Uploads.ListExpiredAsync(T(5), 2, Ct)).Select(s => s.Id));
        Assert.Empty(await stores.Uploads.ListExpiredAsync(T(5), 0, Ct));
        Assert.Empty(await stores.Uploads.ListExpiredAsync(T(1), 10, Ct));
        AssertSameUpload(second1, (await stores.Uploads.ListExpiredAsync(T(5), 1, Ct)).Single());
    }

    [ContractFact]
    public async Task Finished_uploads_last_updated_before_the_cutoff_are_listed_oldest_first()
    {
        var stores = await FreshStoresAsync();
        async Task<UploadSessionRecord> CreatedUploadAsync(UploadSessionRecord session)
        {
            await stores.Uploads.CreateAsync(session, Ct);
            return session;
        }

        var expired = await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Expired, updatedAt: T(3)));
        var completed = await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Completed, updatedAt: T(1)));
        var terminated = await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Terminated, updatedAt: T(2)));
        await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Completed, updatedAt: T(4)));
        await CreatedUploadAsync(NewUpload(NewId(), status: UploadStatus.Active, updatedAt: T(0), expiresAt: T(0)));
        var finishedLater = await CreatedUploadAsync(NewUpload(NewId(), updatedAt: T(0)));
        await stores.Uploads.SetStatusAsync(finishedLater.Id, UploadStatus.Active, UploadStatus.Terminated, null, T(9), Ct);

        Assert.Equal([completed.Id, terminated.Id, expired.Id], (await stores.Uploads.ListFinishedBeforeAsync(T(4), 10, Ct)).Select(s => s.Id));
        Assert.Equal([completed.Id], (await stores.Uploads.ListFinishedBeforeAsync(T(4), 1, Ct)).Select(s => s.Id));
        Assert.Empty(await stores.Uploads.ListFinishedBeforeAsync(T(4), 0, Ct));
        Assert.Empty(await stores.Uploads.ListFinishedBeforeAsync(T(1), 10, Ct));
        Assert.Equal(5, (await stores.Uploads.ListFinishedBeforeAsync(T(10), 10, Ct)).Count);
    }
}
