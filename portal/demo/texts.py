"""Generate fictional but realistic demo feedback texts, organisations and contact names.

Everything here is plain string work on fragment tables, so it is fast enough to run a
million times when seeding a large demo database. Places are real places in the Liverpool
City Region; people and organisations are always obviously fictional placeholders, and no
real company is named.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class _Topic(NamedTuple):
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    suggestions: tuple[str, ...]
    angles: dict[str, tuple[str, ...]]
    campaign: str
    public_positive: tuple[str, ...] = ()
    public_negative: tuple[str, ...] = ()


# --- Places -----------------------------------------------------------------------------------

_STATIONS = (
    "Liverpool Lime Street",
    "Liverpool Central",
    "Moorfields",
    "James Street",
    "Birkenhead Central",
    "Birkenhead Park",
    "Hamilton Square",
    "Southport",
    "St Helens Central",
    "Runcorn",
    "Kirkby",
    "Hunts Cross",
    "Bootle New Strand",
    "Bootle Oriel Road",
    "Wallasey Grove Road",
    "New Brighton",
    "West Kirby",
    "Ormskirk",
    "Widnes",
    "Huyton",
    "Prescot",
    "Rock Ferry",
    "Formby",
    "Crosby",
    "Aintree",
    "Liverpool South Parkway",
)

_AREAS = (
    "Halton",
    "Knowsley",
    "Sefton",
    "Wirral",
    "St Helens",
    "Liverpool",
    "Birkenhead",
    "Southport",
    "Bootle",
    "Kirkby",
    "Runcorn",
    "Widnes",
    "Wallasey",
    "Huyton",
    "Prescot",
    "Crosby",
    "Netherton",
    "Speke",
    "Garston",
    "Halewood",
    "Everton",
    "Toxteth",
    "Walton",
    "Old Swan",
    "Seacombe",
    "Moreton",
    "Haydock",
    "Rainhill",
    "Maghull",
    "the north end of Liverpool",
)

_HUBS = (
    "the travel centre at Liverpool Lime Street",
    "the travel centre at Liverpool Central",
    "the Moorfields travel centre",
    "Queen Square bus station",
    "Birkenhead bus station",
    "St Helens bus station",
    "Southport bus station",
    "Kirkby bus station",
    "Bootle bus station",
    "Huyton bus station",
    "Runcorn bus station",
    "the Pier Head ferry terminal",
    "the Seacombe ferry terminal",
    "the Woodside ferry terminal",
    "the Mersey Ferries terminal",
    "the Mersey Tunnels toll booths",
    "the travel centre in Birkenhead",
    "the travel centre in Southport",
    "the travel centre in St Helens",
    "the bus station in Liverpool city centre",
)

# --- Who is writing ---------------------------------------------------------------------------

_WHO: dict[str, tuple[str, ...]] = {
    "business": (
        "a small catering business",
        "a haulage firm",
        "a family-run joinery firm",
        "a two-person cleaning company",
        "a local print shop",
        "an IT support company with twelve staff",
        "a small building maintenance firm",
        "a social enterprise that does grounds maintenance",
        "a security company with about forty staff",
        "a sandwich shop near the station",
        "an electrical contracting business",
        "a small marketing agency",
        "a family bakery",
        "a vehicle repair garage",
        "a signage and graphics company",
    ),
    "transport_provider": (
        "a bus operator",
        "a community transport scheme",
        "a small coach company",
        "a private hire firm",
        "a rail engineering contractor",
        "a ferry maintenance contractor",
        "a dial-a-ride service",
        "a school bus operator",
        "one of the smaller bus companies on the Wirral",
        "an accessible minibus service",
    ),
    "voluntary_community": (
        "a tenants' and residents' association",
        "a food pantry we run out of a church hall",
        "a youth football club",
        "a befriending group for older people",
        "a mental health peer support group",
        "a refugee welcome group",
        "a community garden project",
        "a women's walking group",
        "a disability access forum",
        "a small charity supporting young carers",
        "a local foodbank",
        "a community cafe",
        "a cycling charity",
    ),
    "employee": (
        "a customer service adviser at one of the travel centres",
        "a station assistant",
        "someone in the finance team",
        "a ferry crew member",
        "one of the tunnel operatives",
        "a project officer",
        "someone who works in procurement",
        "a member of the data team",
        "an apprentice",
        "a part-time admin assistant",
        "an engineer",
        "a team leader in customer services",
    ),
    "passenger": (
        "a daily commuter",
        "a wheelchair user",
        "a student",
        "a pensioner with a bus pass",
        "a parent with two kids in a buggy",
        "a shift worker",
        "someone who doesn't drive",
        "a regular ferry user",
        "a nurse on early shifts",
        "someone who is partially sighted",
    ),
    "resident": (
        "a long-time resident",
        "a local resident",
        "a carer for my mum",
        "a retired teacher",
        "a homeowner near the line",
        "a single parent",
        "a member of my local residents' group",
        "someone who has lived here all my life",
    ),
    "other": (
        "a visitor to the area",
        "a student at one of the universities",
        "a local councillor's caseworker",
        "a researcher interested in social value",
        "someone who works in the NHS",
        "a cyclist who sometimes uses the train",
        "a school governor",
        "someone who moved here last year",
    ),
}

_CONTEXT: dict[str, tuple[str, ...]] = {
    "business": (
        "I run {who} based in {area}.",
        "We are {who} in {area} and we've bid for public sector work before.",
        "I'm writing on behalf of {who} near {st}.",
        "We're {who} and most of our customers are in {area}.",
        "Our business ({who}) employs local people from {area}.",
        "I own {who}, we've been trading in {area} for about eight years.",
        "Our haulage firm is based in {area} and our lorries use the Mersey Tunnels every day.",
        "We're a small catering business near {st}, writing as a potential supplier.",
    ),
    "transport_provider": (
        "I'm writing on behalf of {who}.",
        "I work for {who}, mostly running routes around {area}.",
        "We're {who} operating out of {area}.",
        "Speaking for {who}, we carry a lot of passengers through {hub}.",
        "I manage {who} and our drivers use {hub} every day.",
        "The bus operator I work for runs services through {area} and {st}.",
        "Our community transport scheme takes older people from {area} to appointments.",
    ),
    "voluntary_community": (
        "I volunteer with {who} in {area}.",
        "I'm the secretary of {who} in {area}.",
        "We are {who} and a lot of our members rely on public transport.",
        "I coordinate {who} near {st}.",
        "Writing for {who}, we cover most of {area}.",
    ),
    "employee": (
        "I work for the Combined Authority as {who}.",
        "As {who}, I see this from the inside.",
        "I'm {who} and I've been here about three years.",
        "Speaking as {who}, not for the organisation.",
        "I'm {who}, based near {st}.",
    ),
    "passenger": (
        "I'm {who} and I get the train from {st} to {st2} most days.",
        "I use the buses around {area} every day.",
        "As {who} I use {st} a lot.",
        "I commute from {area} to town, usually via {st}.",
        "I'm {who} travelling between {st} and {st2}.",
        "I get the ferry and then a bus from {hub}.",
        "I don't drive so I rely on buses and trains from {area}.",
    ),
    "resident": (
        "I've lived in {area} for over twenty years.",
        "I'm {who} in {area}.",
        "As {who} living near {st}, I see the station every day.",
        "We live in {area} and the nearest station is {st}.",
        "I'm {who} from {area}.",
    ),
    "other": (
        "I'm {who}.",
        "I'm {who} and I pass through {st} now and then.",
        "Writing as {who}.",
        "As {who}, I've had a look at the framework.",
    ),
}

_GREETINGS = (
    "Hi. ",
    "Hello. ",
    "Hi there! ",
    "Hiya! ",
    "Good morning. ",
    "Dear Combined Authority,\n\n",
    "To whom it may concern,\n\n",
    "Hello,\n",
    "Thanks for asking for feedback. ",
    "Thank you for the chance to comment. ",
    "Quick bit of feedback. ",
    "Feedback below:\n",
    "I'll keep this short. ",
)

_CLOSERS = (
    "Thanks.",
    "Thank you.",
    "Many thanks.",
    "Cheers.",
    "Ta.",
    "Thanks for listening.",
    "Happy to talk more if useful.",
    "Please get back to me.",
    "Just my 2p.",
    "Sort it out please!!",
    "Hope this helps.",
    "Looking forward to seeing some progress.",
    "Keep it up.",
    "I'll be watching to see what happens.",
    "Would be good to get a reply.",
    "Thanks x",
    "Regards.",
    "Kind regards.",
)

_ANECDOTES = (
    "Last Tuesday I waited forty minutes at {hub} and nobody could tell me anything.",
    "My neighbour in {area} has stopped going out in the evenings because the buses are so "
    "unreliable.",
    "A member of staff at {st} went out of their way to help my dad with his wheelchair last "
    "month, which made his day.",
    "When the lifts were out at {st} I had to go on to {st2} and come back, which added an hour.",
    "My son has just started an apprenticeship and gets the train from {st} every morning.",
    "We moved to {area} partly because of the train line, so this matters to us.",
    "Over the winter the shelter at {hub} had no lighting for weeks.",
    "I've noticed a lot more people using the ferry since the summer.",
    "Someone I know lost their job because the first bus from {area} was too late for the shift.",
    "The new timetable on the route through {area} has actually been a big improvement.",
)

_MIX_JOINS = (
    "But",
    "However,",
    "That said,",
    "Having said that,",
    "On the other hand,",
    "Then again,",
)

_SHORT_TAGS = (
    "From {area}.",
    "Writing from {area}.",
    "(Mostly use {st}.)",
    "This is about {area} mainly.",
    "Noticed this at {hub}.",
    "Same at {st}.",
    "{area} needs this more than anywhere.",
    "Speaking as {who}.",
)

_SHORT_EXTRAS = (
    "More of this please.",
    "Not good enough.",
    "Well done.",
    "Needs work.",
    "Fair play.",
    "Disappointed tbh.",
    "About time.",
    "Good start.",
    "Any update on this?",
    "Please fix.",
)

# --- Topics -----------------------------------------------------------------------------------

_GENERAL = _Topic(
    positive=(
        "It's good to see the Combined Authority talking about Social Value at all, a few years "
        "ago nobody round here would have known what it meant.",
        "The fairer, stronger, greener idea is the right one for the city region and I'm glad "
        "transport is part of it.",
        "The staff at {hub} are always helpful, that is social value as far as I'm concerned.",
        "I like that the framework says nobody is left behind, it matters in places like {area}.",
        "Publishing an annual review is a good step because people want to see what has "
        "actually changed.",
        "The new trains have made a real difference on the line through {st}.",
        "The Mersey Ferries are a great asset and it's good they're mentioned in the framework.",
        "The service from {st} has been much more reliable lately, credit where it's due.",
        "Really pleased the framework looks beyond procurement to everything the organisation "
        "does.",
    ),
    negative=(
        "Buses in {area} after 7pm are a joke. Social Value means nothing if I can't get home "
        "from work.",
        "Lots of nice words in the framework but I can't see what is different on the ground in "
        "{area}.",
        "Nobody asked people in {area} what they wanted before this was written.",
        "The lifts at {st} have been out of action for weeks again, sort the basics first.",
        "Fares keep going up while the service gets worse, especially on the routes through "
        "{area}.",
        "I read the framework and honestly couldn't tell you what it commits to in practice.",
        "The Mersey Tunnels tolls hit people on low incomes hardest, how is that fair?",
        "It feels like {area} always gets forgotten compared to the city centre.",
        "Trains from {st} were cancelled three times last week with no proper explanation.",
        "This reads like a box-ticking exercise.",
    ),
    suggestions=(
        "Publish a simple list of what's been done each quarter, in plain English.",
        "Hold drop-in sessions at {hub} so people can actually talk to someone.",
        "Put the money into evening and Sunday buses in {area} before anything else.",
        "Ask disabled passengers to test stations before you call them accessible.",
        "Give each commitment a named team and a date so we can hold you to it.",
        "Make the annual review readable on a phone, not a 60 page PDF.",
        "Come and talk to groups in {area} rather than only doing online surveys.",
    ),
    angles={},
    campaign=(
        "We call on the Combined Authority to make Social Value mean something for every "
        "community in the Liverpool City Region. Publish clear targets, report progress every "
        "quarter in plain English, and make sure residents in every borough, not just the city "
        "centre, see real improvements in their buses, trains and ferries."
    ),
)

_TOPICS: dict[str, _Topic] = {
    "social-value-weighting-in-procurement": _Topic(
        positive=(
            "A minimum Social Value weighting is overdue and should help local firms compete "
            "with the big national contractors.",
            "Setting a fixed percentage for Social Value in every new contract is a good move, it "
            "stops it being an afterthought.",
            "Having a clear weighting means suppliers know it actually counts towards the score.",
            "Good to see a deadline of March 2023 on this, that's something we can check.",
            "If the weighting is meaningful it will reward employers who pay properly and hire "
            "from {area}.",
            "Really welcome the weighting, our last tender elsewhere gave it 5% which was "
            "pointless.",
        ),
        negative=(
            "A weighting is fine on paper but small firms can't afford the time to write pages of "
            "Social Value answers.",
            "I worry the weighting will just reward whoever has the slickest bid writer.",
            "What percentage is it actually going to be? The framework doesn't say.",
            "Social Value commitments in bids are easy to promise and rarely checked afterwards.",
            "I'm not sure what procurement weighting means for someone waiting for a bus at {st}.",
            "If the weighting is too low it's just window dressing, if it's too high price goes up "
            "for everyone.",
        ),
        suggestions=(
            "Set the weighting at 10% minimum and publish it on every tender.",
            "Check after the contract starts whether the promised Social Value was delivered.",
            "Make the Social Value questions proportionate for small contracts.",
            "Give small and micro businesses a simpler template.",
            "Publish the scores so unsuccessful bidders can learn from them.",
        ),
        angles={
            "business": (
                "We lost a contract last year on price alone even though we employ everyone from "
                "{area}.",
                "For {who} the paperwork is the real barrier, not the weighting itself.",
            ),
            "transport_provider": (
                "Operators need to know how Social Value will be scored before contracts are let, "
                "not after.",
            ),
        },
        campaign=(
            "We are local businesses in the Liverpool City Region and we support a minimum Social "
            "Value weighting in procurement. Please set it at a meaningful level, publish it on "
            "every tender, keep the questions proportionate for small firms and check that the "
            "promises made in bids are actually delivered."
        ),
        public_positive=(
            "If contracts go to firms that hire locally, that's good for people in {area} who "
            "need jobs.",
            "I'm not an expert but making big contractors give something back seems only fair.",
            "Glad public money is meant to benefit local people and not just the cheapest bidder.",
            "Contractors have given our group volunteers and donations before, so more of that "
            "would be welcome.",
        ),
        public_negative=(
            "I'm not sure what procurement weighting means for someone waiting for a bus at {st}.",
            "Procurement rules won't mean much to passengers unless the trains actually turn up.",
            "Big companies will promise the world in their bids and then nobody checks.",
            "Hard to comment on this as a member of the public, it's written in jargon.",
        ),
    ),
    "early-clarity-on-social-value-requirements": _Topic(
        positive=(
            "Telling suppliers about Social Value at market engagement stage is really helpful, "
            "it gives us time to plan.",
            "The supplier event I went to at {hub} explained the Social Value ask clearly.",
            "Early clarity is exactly what small businesses have been asking for.",
            "It makes a big difference when the requirements are explained before the tender "
            "lands.",
            "Good to see commissioners talking to suppliers early rather than springing it on us.",
        ),
        negative=(
            "We only found out about the Social Value requirements when the tender was already "
            "live.",
            "The guidance we got was vague and different people told us different things.",
            "Market engagement events are always in working hours in town, hard for a small firm "
            "from {area} to attend.",
            "Clarity would be nice but the documents are still full of jargon.",
            "I asked a question about Social Value requirements weeks ago and never heard back.",
        ),
        suggestions=(
            "Publish a short plain-English guide to what you expect, with examples.",
            "Run supplier sessions online and in the evenings as well.",
            "Put the Social Value requirements in the prior information notice.",
            "Have one contact point for Social Value questions.",
            "Hold a supplier event outside the city centre, maybe in {area}.",
        ),
        angles={
            "business": ("As {who} we don't have a bid team, so knowing early is everything.",),
            "employee": (
                "Colleagues in commissioning would benefit from a standard script for market "
                "engagement.",
            ),
        },
        campaign=(
            "As small and medium sized suppliers in the city region we ask the Combined Authority "
            "to explain its Social Value requirements at the very start of every procurement. "
            "Please publish a plain-English guide with examples, include the requirements in "
            "early market notices and give us one clear contact for questions."
        ),
        public_positive=(
            "Sounds sensible to tell companies what you want up front.",
            "If local firms know what's expected early, more of the work might stay in {area}.",
            "Being upfront with suppliers should mean fewer surprises and delays later on.",
        ),
        public_negative=(
            "This is very technical, I don't really see what it changes for passengers.",
            "Not sure why this is a priority when the buses in {area} are so unreliable.",
            "As a member of the public I have no idea what market engagement means.",
        ),
    ),
    "safe-spaces-at-stations-and-travel-centres": _Topic(
        positive=(
            "I didn't know {st} was a Safe Space until I saw the sticker, really reassuring.",
            "My daughter felt unsafe one night and the staff at {hub} looked after her until I "
            "got there. Thank you.",
            "The Safe Spaces scheme is a brilliant idea, especially for women travelling late.",
            "Staff at {st} were kind and knew exactly who to call when someone needed help.",
            "Good to see the staffed stations being used for something like this.",
            "As someone who has had panic attacks on the train, knowing there is a safe space at "
            "{st} really helps.",
        ),
        negative=(
            "What use is a safe space at {st} if the ticket office shuts at 7pm?",
            "Most of the smaller stations near me aren't staffed so this doesn't help at all.",
            "I asked at {st} about the Safe Space and the person didn't seem to know what it was.",
            "The signs are tiny and nobody knows the scheme exists.",
            "Feeling unsafe usually happens on the platform or walking home from {st}, not inside "
            "the travel centre.",
            "The CCTV at {st} never seems to work and there's no staff after dark.",
        ),
        suggestions=(
            "Keep staffed stations open later, at least until the last train.",
            "Put bigger, clearer Safe Space signs at the entrance and on the platforms.",
            "Train every member of staff, not just some of them.",
            "Add help points and better lighting on the walk from {st} to the bus stops.",
            "Advertise the scheme on the trains and buses themselves.",
        ),
        angles={
            "employee": (
                "The training we got on Safe Spaces was useful but it was only an hour online.",
                "As {who}, I'd like clearer guidance on what to do once someone comes to us.",
            ),
            "voluntary_community": (
                "Our members include vulnerable adults and we've told them about the Safe "
                "Spaces at {hub}.",
            ),
        },
        campaign=(
            "Everyone deserves to feel safe on public transport. We support Safe Spaces at "
            "staffed stations and travel centres and ask the Combined Authority to keep them "
            "staffed until the last service, train every member of staff and put clear signs at "
            "every entrance so that people know where to go."
        ),
    ),
    "foodbank-collection-points": _Topic(
        positive=(
            "I dropped some tins at the collection point in {hub}, really easy to do on my way "
            "home.",
            "Putting foodbank collection points at stations is such a simple good idea.",
            "Our foodbank had a big donation from the box at {st} last month, thank you.",
            "Nice to see the travel centres doing something practical for people struggling.",
            "More collection points means more people donate, it's that simple.",
        ),
        negative=(
            "I've looked for the collection point at {st} and couldn't find it.",
            "The box at {hub} was overflowing for weeks, who is emptying it?",
            "Collection points are nice but it would be better to stop people needing foodbanks "
            "in the first place, like cheaper fares.",
            "There's only one collection point in the whole of {area} as far as I can tell.",
            "It feels a bit like a PR exercise when fares keep going up.",
        ),
        suggestions=(
            "Put a collection point at {st} as well.",
            "Put a list of what the foodbank actually needs next to each box.",
            "Agree a regular collection day with local foodbanks so boxes don't overflow.",
            "Let people donate toiletries and period products too.",
            "Work with foodbanks in {area} to pick the locations.",
        ),
        angles={
            "voluntary_community": (
                "As {who} we'd love a collection point closer to us but nobody has got back to us "
                "about it.",
                "We collect from {hub} and it's been a real help over the winter.",
            ),
        },
        campaign=(
            "We ask the Combined Authority to put a foodbank collection point in every travel "
            "centre and staffed station in the Liverpool City Region, with a list of what local "
            "foodbanks need most and a regular collection arrangement so that donations reach "
            "families quickly."
        ),
    ),
    "transport-user-data": _Topic(
        positive=(
            "Good to hear you want better data about who uses the buses, the timetables around "
            "{area} clearly aren't based on it.",
            "Using passenger data to plan services makes a lot of sense.",
            "I filled in the passenger survey at {st} and it was quick and easy.",
            "If the data shows how many people travel from {area} at night, maybe we'll finally "
            "get a later bus.",
            "Better data is boring but it's the basis for everything else.",
        ),
        negative=(
            "I'm worried about what data you'll collect about me and who it gets shared with.",
            "You already have all the ticket data, why does nothing change?",
            "Surveys only ever happen at busy city centre stations, never at {st}.",
            "Data on people who currently use the buses tells you nothing about the people who "
            "gave up because the service was so bad.",
            "Contactless data won't pick up older people using paper passes.",
        ),
        suggestions=(
            "Publish the passenger numbers so communities can see them.",
            "Be clear about privacy and don't share personal data with third parties.",
            "Count people who can't travel, not just those who do.",
            "Ask about disabled passengers' journeys specifically.",
            "Do surveys at smaller stations like {st} and on the buses in {area}.",
        ),
        angles={
            "transport_provider": (
                "We collect a lot of this data already and would happily share it if there was a "
                "simple way to do so.",
            ),
            "employee": ("As {who}, I'd say the data we have is spread across too many systems.",),
        },
        campaign=(
            "We support better data about public transport users, but it must be collected "
            "fairly and used openly. Please publish passenger numbers for every route, protect "
            "personal data, and make sure the people who have stopped using buses and trains are "
            "counted as well as those who still do."
        ),
    ),
    "transport-hubs-as-community-assets": _Topic(
        positive=(
            "The art exhibition at {hub} was lovely and got people talking.",
            "Using stations as community spaces could really help places like {area}.",
            "The pop-up health check at {st} was a great idea, I got my blood pressure done.",
            "Love the idea of community groups using spare rooms at the travel centres.",
            "The Mersey Ferries terminal hosting local events is exactly the kind of thing I'd "
            "like to see more of.",
        ),
        negative=(
            "Half the station buildings near me are boarded up, hardly a community asset.",
            "{hub} is grim, no seating, no toilets, nothing for the community there.",
            "Community asset sounds good but the waiting room at {st} is locked most of the time.",
            "Nobody from the community was asked what they'd want from the hubs.",
            "The toilets at {hub} have been closed for months.",
        ),
        suggestions=(
            "Let local groups book empty rooms at {hub} for free.",
            "Open the toilets and put in proper seating.",
            "Have a community noticeboard at every station.",
            "Use the empty units at {st} for local start-ups or a community cafe.",
            "Put free wifi and phone charging at bus stations.",
        ),
        angles={
            "voluntary_community": (
                "As {who} we'd happily run a weekly session at {hub} if there was space.",
            ),
            "business": (
                "We'd be interested in renting one of the empty units at {st} at a fair rent.",
            ),
        },
        campaign=(
            "Our stations, bus stations and travel centres should be real assets for the "
            "communities around them. We ask the Combined Authority to open up unused rooms and "
            "units to local groups free of charge, reopen the toilets and waiting rooms, and ask "
            "residents what they want their local hub to offer."
        ),
    ),
    "fair-employment-charter": _Topic(
        positive=(
            "The Fair Employment Charter is great, we signed up last year and it helped us "
            "recruit.",
            "Paying the Real Living Wage should be the norm and I'm glad the Combined Authority "
            "is pushing it.",
            "My employer signed the charter and I got proper training for the first time.",
            "Good to see the charter linking pay with training and progression.",
            "The charter gives people in {area} something to look for when applying for jobs.",
        ),
        negative=(
            "Encouraging employers is not enough, make it a requirement for anyone with a public "
            "contract.",
            "My employer got the charter badge but still uses zero hours contracts.",
            "Small businesses like ours can't always afford the Real Living Wage straight away.",
            "Nobody I know has ever heard of the Fair Employment Charter.",
            "What happens if an employer breaks the charter? Nothing, as far as I can see.",
        ),
        suggestions=(
            "Make signing the charter a condition of Combined Authority contracts.",
            "Offer small firms help to phase in the Real Living Wage.",
            "Publish a list of charter employers so jobseekers can find them.",
            "Check that charter employers actually stick to it.",
            "Include security and cleaning contractors at the stations.",
        ),
        angles={
            "business": (
                "As {who} we want to sign up but need to understand the costs first.",
                "We already pay the Real Living Wage and it should count for more in tenders.",
            ),
            "employee": (
                "Some of the contractors working at our sites clearly aren't paying the Real "
                "Living Wage.",
            ),
        },
        campaign=(
            "We call on the Combined Authority to go further with the Fair Employment Charter. "
            "Everyone working on a Combined Authority contract, including cleaners and security "
            "staff at stations, should be paid at least the Real Living Wage and have access to "
            "training and progression."
        ),
    ),
    "diverse-transport-workforce": _Topic(
        positive=(
            "Good to see more women driving buses round {area}.",
            "Really pleased this is being recognised, transport has always been very male and "
            "very white.",
            "The apprenticeship open day at {hub} was welcoming and I've applied.",
            "My niece is now a train driver after a scheme aimed at women, she loves it.",
            "A workforce that looks like the people it serves makes passengers feel more "
            "comfortable.",
        ),
        negative=(
            "Every member of staff I see at {st} is a middle-aged white man.",
            "It's all talk, the senior managers are exactly the same as ten years ago.",
            "Shift patterns make it impossible for single parents to work in transport.",
            "Recruitment adverts never reach communities in {area}.",
            "Diversity is about more than gender and ethnicity, what about disabled staff?",
        ),
        suggestions=(
            "Publish workforce diversity figures every year.",
            "Offer flexible and part-time shifts so carers and parents can apply.",
            "Advertise jobs through community groups in {area}, not just online.",
            "Set targets for women and people from minority backgrounds in senior roles.",
            "Run taster days for school leavers at {hub}.",
        ),
        angles={
            "employee": (
                "As {who}, I'm often the only woman on shift.",
                "Mentoring for under-represented staff would help people progress.",
            ),
            "transport_provider": (
                "We struggle to recruit drivers at all, let alone a diverse workforce, and would "
                "welcome joint recruitment campaigns.",
            ),
        },
        campaign=(
            "Transport in our city region should be run by people who reflect the communities "
            "it serves. We ask the Combined Authority to publish workforce diversity figures, "
            "set clear targets, offer flexible shifts and recruit through community groups in "
            "every borough."
        ),
    ),
    "social-value-in-all-activity": _Topic(
        positive=(
            "Going beyond the Social Value Act is the right ambition.",
            "Glad to see Social Value isn't just a procurement thing any more.",
            "Looking at employment, investment and services together makes sense.",
            "If every team thinks about Social Value it could change a lot in {area}.",
            "This is the most ambitious part of the framework and I hope it sticks.",
        ),
        negative=(
            '"All activity" is so broad it risks meaning nothing.',
            "I don't see how this will be measured.",
            "Services in {area} have been cut, so where is the Social Value in that?",
            "The organisation can't even get the basics right at {st}, never mind all activity.",
            "Who is accountable if it doesn't happen?",
        ),
        suggestions=(
            "Pick three or four measures and report on them every year.",
            "Give every team a Social Value objective.",
            "Include service delivery outcomes like reliability and accessibility.",
            "Show examples of Social Value from each part of the organisation.",
        ),
        angles={
            "employee": (
                "As {who}, I've had no information about how this affects my day-to-day job.",
                "The Social Value Champions idea is good but we need time to do it.",
            ),
        },
        campaign=(
            "We welcome the commitment to realise Social Value in all activity, not just "
            "procurement. To make it real, the Combined Authority should set a small number of "
            "clear measures for employment, commissioning, investment and service delivery and "
            "report on them publicly every year."
        ),
    ),
    "costs-and-benefits-in-investment-decisions": _Topic(
        positive=(
            "Good that investment decisions will look at wider benefits, not just the cheapest "
            "option.",
            "Counting social benefits properly might finally justify investment in places like "
            "{area}.",
            "An objective assessment of costs and benefits is sensible.",
            "I like that the framework admits Social Value can cost more and says how to manage "
            "it.",
        ),
        negative=(
            "Cost-benefit analysis always favours the places that are already doing well.",
            "Who decides how much a social benefit is worth? It's all made-up numbers.",
            "This could push costs up for everyone if it isn't done carefully.",
            "Investment keeps going to the city centre while {area} waits.",
            "The assessments are never published so we can't see them.",
        ),
        suggestions=(
            "Publish the cost-benefit assessments for major schemes.",
            "Weight benefits towards the most deprived areas.",
            "Include environmental benefits in every assessment.",
            "Explain decisions in plain language, not just in spreadsheets.",
        ),
        angles={
            "business": (
                "As {who} we'd like to know how Social Value will be priced against cost in "
                "practice.",
            ),
        },
        campaign=(
            "Investment decisions in the Liverpool City Region must count the full social, "
            "economic and environmental benefits, not just the upfront cost. We ask the Combined "
            "Authority to publish its cost and benefit assessments for every major investment "
            "and to explain its decisions in plain language."
        ),
    ),
    "anchor-institutions": _Topic(
        positive=(
            "Getting the hospitals, universities and councils to work together could make a huge "
            "difference.",
            "The anchor institutions buy so much between them, if they buy locally it would "
            "transform {area}.",
            "Good to see the Combined Authority using its convening role.",
            "Joined-up working between the big local employers is long overdue.",
        ),
        negative=(
            "We keep hearing about anchor institutions but nothing seems to reach small "
            "businesses.",
            "It's the same big organisations talking to each other again.",
            "What does convening actually mean in practice?",
            "The voluntary sector in {area} never gets invited to these partnerships.",
        ),
        suggestions=(
            "Set up a shared local supplier list across the anchor institutions.",
            "Include community and voluntary groups in the partnership.",
            "Publish what the anchor institutions have agreed to do together.",
            "Coordinate recruitment so local people hear about jobs across all of them.",
        ),
        angles={
            "voluntary_community": (
                "As {who} we'd like a seat at the table, not just a consultation.",
            ),
            "business": (
                "If the anchors shared one supplier portal it would save firms like ours a lot of "
                "time.",
            ),
        },
        campaign=(
            "The anchor institutions of the Liverpool City Region spend billions every year. "
            "We ask the Combined Authority to bring them together behind a shared local "
            "purchasing and recruitment plan, include community and voluntary groups in the "
            "partnership, and publish what has been agreed."
        ),
    ),
    "environmental-benefits": _Topic(
        positive=(
            "Really glad environmental benefits count as Social Value, it's the same fight.",
            "The new trains are quieter and cleaner, more of that please.",
            "Electric buses through {area} have made the air noticeably better.",
            "Good to see greener actually mean something in the framework.",
            "The cycle parking at {st} is a great step.",
        ),
        negative=(
            "The traffic queuing for the Mersey Tunnels is filling {area} with fumes.",
            "Still loads of old diesel buses running through {area}.",
            "You can't call it greener while cutting bus services and pushing people into cars.",
            "There's no safe cycle route to {st} so everyone drives.",
            "Environmental benefits are mentioned but there's no target.",
        ),
        suggestions=(
            "Put electric buses on the routes through the most polluted streets first.",
            "Add secure cycle parking at {st}.",
            "Plant trees and add greenery at {hub}.",
            "Set a carbon target for transport and report against it.",
            "Make it easier to take bikes on the ferries and trains.",
        ),
        angles={
            "transport_provider": (
                "We'd switch more vehicles to electric if there was charging at the depots.",
            ),
            "resident": (
                "Living near the main road in {area}, the air quality is awful at rush hour.",
            ),
        },
        campaign=(
            "A greener city region needs cleaner transport. We ask the Combined Authority to "
            "count environmental benefits in every decision, set a clear carbon target for "
            "transport, replace the oldest diesel buses first and make walking and cycling to "
            "stations safe for everyone."
        ),
    ),
    "engaging-transport-providers-and-service-users": _Topic(
        positive=(
            "Thanks for asking, it's good to have a way to give feedback like this.",
            "The passenger forum I went to at {hub} was well run and people were listened to.",
            "Really welcome that operators are being asked for their views too.",
            "Glad this portal exists, it's easier than ringing up.",
            "The consultation about the {area} routes did lead to changes, so it's worth "
            "responding.",
        ),
        negative=(
            "I've responded to loads of consultations and never heard what happened.",
            "Engagement always happens in office hours in the city centre.",
            "It feels like decisions are made before anyone is asked.",
            "Disabled passengers are hardly ever consulted properly.",
            "Operators get asked, passengers get told.",
        ),
        suggestions=(
            "Tell people what changed because of their feedback.",
            "Hold sessions in {area}, in the evening, with interpreters if needed.",
            "Set up a regular passenger panel with people from every borough.",
            "Make the feedback form available in other languages and easy read.",
            "Go onto the buses and trains to ask people, not just online.",
        ),
        angles={
            "transport_provider": (
                "As {who} we'd welcome a regular operators' forum on Social Value.",
            ),
            "passenger": (
                "I use {st} every day and nobody has ever asked me what I think until now.",
            ),
        },
        campaign=(
            "We want to be listened to. We ask the Combined Authority to set up a standing "
            "passenger and community panel with members from every borough, hold meetings in "
            "the evenings and outside the city centre, and publish what changed as a result of "
            "the feedback it receives."
        ),
    ),
}

_CAMPAIGN_OPENERS = ("", "", "", "Dear Combined Authority,\n\n", "To the Combined Authority: ")
_CAMPAIGN_ENDINGS = ("", "", " Thank you.", " Thanks.", " Please act now.", " Signed.")

# --- Typos and informal tone ------------------------------------------------------------------

_TYPO_SWAPS = (
    ("the ", "teh "),
    ("their ", "there "),
    ("because", "cos"),
    ("you ", "u "),
    ("definitely", "definately"),
    ("don't", "dont"),
    ("can't", "cant"),
    ("it's", "its"),
    ("I'm", "im"),
    ("really", "realy"),
    ("people", "ppl"),
    ("station", "staion"),
    ("would", "wuold"),
    (". ", ".. "),
    (", ", " , "),
    ("to be honest", "tbh"),
    ("and ", "& "),
)


def _typos(rng: random.Random, text: str) -> str:
    """Apply one to three cheap, realistic typing slips to text."""
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.12:
            text = text.lower()
        elif roll < 0.2:
            text = text.rstrip(".")
        elif roll < 0.26:
            text = text.replace(". ", ".  ", 1)
        else:
            old, new = rng.choice(_TYPO_SWAPS)
            text = text.replace(old, new, 1)
    return text


_CAPITALISED = frozenset({"Social", "Safe", "Mersey", "Liverpool", "Fair", "Real", "Combined"})


def _lower_first(sentence: str) -> str:
    """Lower-case the first letter of sentence unless it starts with I, a name or a slot."""
    first = sentence.split(" ", 1)[0]
    if first[0] == "{" or first in ("I", "I'm", "I've", "I'd") or first[1:2].isupper():
        return sentence
    if first.rstrip(",") in _CAPITALISED:
        return sentence
    return sentence[0].lower() + sentence[1:]


def _trim(text: str, limit: int = 900) -> str:
    """Cut text back to the last full sentence that fits within limit characters."""
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1] if cut > 40 else text[: limit - 1].rstrip() + "."


_INSIDERS = frozenset({"business", "transport_provider", "employee"})


def _campaign(rng: random.Random, topic: _Topic) -> str:
    """Return the near-identical campaign paragraph for topic with a tiny variation."""
    return rng.choice(_CAMPAIGN_OPENERS) + topic.campaign + rng.choice(_CAMPAIGN_ENDINGS)


def feedback_text(rng: random.Random, commitment_slug: str | None, stakeholder_type: str) -> str:
    """Return a realistic, varied piece of fictional public feedback about a commitment."""
    topic = _TOPICS.get(commitment_slug, _GENERAL) if commitment_slug else _GENERAL
    if rng.random() < 0.02:
        return _campaign(rng, topic)

    who_list = _WHO.get(stakeholder_type)
    if who_list is None:
        stakeholder_type = "other"
        who_list = _WHO["other"]
    choice = rng.choice
    random_ = rng.random

    positive, negative = topic.positive, topic.negative
    if topic.public_positive and stakeholder_type not in _INSIDERS and random_() < 0.7:
        positive, negative = topic.public_positive, topic.public_negative

    size = random_()
    tone = random_()
    greeting = ""
    parts: list[str] = []

    if size < 0.14:
        # Short: one sentence, usually with a quick tag.
        parts.append(choice(positive if tone < 0.5 else negative))
        if random_() < 0.4:
            parts.append(choice(_SHORT_TAGS))
        if random_() < 0.3:
            parts.append(choice(_SHORT_EXTRAS))
    else:
        long_text = size > 0.78
        if random_() < 0.3:
            greeting = choice(_GREETINGS)
        if random_() < (0.85 if long_text else 0.55):
            parts.append(choice(_CONTEXT[stakeholder_type]))
        angles = topic.angles.get(stakeholder_type)
        if angles and random_() < 0.5:
            parts.append(choice(angles))

        if tone < 0.36:
            parts.append(choice(positive))
            if long_text:
                parts.append(choice(positive if random_() < 0.6 else _GENERAL.positive))
        elif tone < 0.72:
            parts.append(choice(negative))
            if long_text:
                parts.append(choice(negative if random_() < 0.6 else _GENERAL.negative))
        else:
            parts.append(choice(positive))
            parts.append(choice(_MIX_JOINS) + " " + _lower_first(choice(negative)))

        if long_text:
            parts.append(choice(topic.suggestions))
            if random_() < 0.5:
                parts.append(choice(_GENERAL.suggestions))
            if size > 0.95:
                parts.append(choice(_GENERAL.positive if tone < 0.36 else _GENERAL.negative))
                parts.append(choice(_ANECDOTES))
                parts.append(choice(positive if tone < 0.5 else negative))
                parts.append(choice(_GENERAL.suggestions))
                parts.append(choice(topic.suggestions))
        elif random_() < 0.55:
            parts.append(choice(topic.suggestions))
        if random_() < (0.7 if long_text else 0.35):
            parts.append(choice(_CLOSERS))

    template = " ".join(dict.fromkeys(parts))
    if "{" not in template:
        # Anchor every text to a place or a writer so natural texts rarely repeat exactly.
        if size < 0.14:
            template += " " + choice(_SHORT_TAGS)
        else:
            template = choice(_CONTEXT[stakeholder_type]) + " " + template

    st = choice(_STATIONS)
    st2 = choice(_STATIONS)
    if st2 == st:
        st2 = "Liverpool Lime Street" if st != "Liverpool Lime Street" else "Moorfields"
    text = greeting + template.format(
        st=st, st2=st2, area=choice(_AREAS), hub=choice(_HUBS), who=choice(who_list)
    )

    if random_() < 0.08:
        text = _typos(rng, text)
    if len(text) < 40:
        text = text + " " + choice(_CLOSERS)
    return _trim(text)


# --- Organisations and people -----------------------------------------------------------------

_ORG_CHANCE = {
    "business": 0.9,
    "transport_provider": 0.92,
    "voluntary_community": 0.88,
    "employee": 0.1,
    "other": 0.15,
    "passenger": 0.03,
    "resident": 0.04,
}

_PLACE_WORDS = (
    "Mersey",
    "Wirral",
    "Sefton",
    "Knowsley",
    "Halton",
    "Riverside",
    "Northside",
    "Dockside",
    "Estuary",
    "Waterfront",
    "Liver Road",
    "Parkside",
    "Two Rivers",
    "Northern",
)

_MARKERS = ("Demo", "Example", "Sample", "Fictional", "Placeholder", "Demo", "Example")

_BUSINESS_TRADES = (
    "Catering",
    "Haulage",
    "Joinery",
    "Cleaning Services",
    "Print",
    "IT Support",
    "Building Maintenance",
    "Grounds Care",
    "Security",
    "Electrical",
    "Bakery",
    "Signs and Graphics",
    "Marketing",
    "Vehicle Repairs",
    "Plumbing",
    "Consulting",
    "Scaffolding",
    "Office Supplies",
)

_BUSINESS_SUFFIXES = ("Ltd", "Ltd", "Limited", "& Co", "Services Ltd", "Group Ltd", "CIC")

_TRANSPORT_KINDS = (
    "Buses",
    "Coaches",
    "Community Transport",
    "Travel",
    "Private Hire",
    "Minibus Service",
    "Rail Engineering",
    "Marine Services",
    "Dial-a-Ride",
    "School Transport",
)

_VOLUNTARY_KINDS = (
    "Community Pantry",
    "Residents' Association",
    "Youth Football Club",
    "Befriending Group",
    "Peer Support Network",
    "Refugee Welcome Group",
    "Community Garden",
    "Walking Group",
    "Access Forum",
    "Young Carers Project",
    "Foodbank",
    "Community Cafe",
    "Cycling Club",
    "Tenants' Group",
    "Men's Shed",
    "Arts Collective",
)

_OTHER_ORGS = (
    "Example Research Unit",
    "Demo School Governors",
    "Sample Health Team",
    "Example Parish Forum",
    "Demo Student Society",
)


def organisation_name(rng: random.Random, stakeholder_type: str) -> str | None:
    """Return an obviously fictional organisation name, or None when the person writes alone."""
    if rng.random() >= _ORG_CHANCE.get(stakeholder_type, 0.15):
        return None
    choice = rng.choice
    marker = choice(_MARKERS)
    if stakeholder_type == "business":
        return f"{choice(_PLACE_WORDS)} {marker} {choice(_BUSINESS_TRADES)} " + choice(
            _BUSINESS_SUFFIXES
        )
    if stakeholder_type == "transport_provider":
        return f"{choice(_PLACE_WORDS)} {marker} {choice(_TRANSPORT_KINDS)} Ltd"
    if stakeholder_type in ("voluntary_community", "resident", "passenger"):
        if rng.random() < 0.5:
            return f"{marker} {choice(_VOLUNTARY_KINDS)}"
        return f"{choice(_PLACE_WORDS)} {marker} {choice(_VOLUNTARY_KINDS)}"
    if stakeholder_type == "employee":
        return f"{marker} {choice(_TEAMS)} Team"
    return choice(_OTHER_ORGS)


_TEAMS = (
    "Customer Services",
    "Stations",
    "Ferries",
    "Tunnels",
    "Procurement",
    "Finance",
    "Data and Insight",
    "Policy",
)

_NAME_PREFIXES = (
    "Demo Person",
    "Demo Person",
    "Demo Person",
    "Example Person",
    "Sample Respondent",
    "Demo Respondent",
    "Test Contact",
)


def contact_name(rng: random.Random) -> str:
    """Return an obviously fictional placeholder contact name such as "Demo Person 4821"."""
    return f"{rng.choice(_NAME_PREFIXES)} {rng.randint(1000, 9999)}"
