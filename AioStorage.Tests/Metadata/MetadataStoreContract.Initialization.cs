using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [ContractFact]
    public async Task Initializing_again_keeps_the_data_and_the_unique_rules()
    {
        var user = await CreatedAsync(NewUser());
        var folder = await CreatedAsync(NewFolder(user.Id, null, "Kept"));

        await Fixture.Stores.Initializer.InitializeAsync(Ct);
        await Fixture.Stores.Initializer.InitializeAsync(Ct);

        Assert.Equal(user, await Users.GetByIdAsync(user.Id, Ct));
        Assert.Equal<NodeRecord?>(folder, await Nodes.GetAsync(user.Id, folder.Id, Ct));
        var email = await Assert.ThrowsAsync<MetadataConflictException>(() => Users.CreateAsync(NewUser() with { Email = user.Email }, Ct));
        Assert.Equal("email", email.Field);
        var name = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.CreateAsync(NewFolder(user.Id, null, "KEPT"), Ct));
        Assert.Equal("name", name.Field);
    }

    [ContractFact]
    public async Task Two_processes_initializing_a_fresh_database_at_once_both_succeed_and_share_it()
    {
        var database = Fixture.NewDatabase();
        var api = Fixture.Open(database);
        var worker = Fixture.Open(database);

        await Task.WhenAll(
            Task.Run(() => api.Initializer.InitializeAsync(Ct)),
            Task.Run(() => worker.Initializer.InitializeAsync(Ct)));

        var user = NewUser();
        await api.Users.CreateAsync(user, Ct);
        Assert.Equal(user, await worker.Users.GetByEmailAsync(user.Email, Ct));
        var email = await Assert.ThrowsAsync<MetadataConflictException>(() => worker.Users.CreateAsync(NewUser() with { Email = user.Email }, Ct));
        Assert.Equal("email", email.Field);
        var username = await Assert.ThrowsAsync<MetadataConflictException>(() => worker.Users.CreateAsync(NewUser() with { Username = user.Username }, Ct));
        Assert.Equal("username", username.Field);
        await worker.Nodes.CreateAsync(NewFolder(user.Id, null, "Shared"), Ct);
        var name = await Assert.ThrowsAsync<MetadataConflictException>(() => api.Nodes.CreateAsync(NewFolder(user.Id, null, "shared"), Ct));
        Assert.Equal("name", name.Field);
    }
}
