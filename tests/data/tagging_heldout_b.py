# ruff: noqa: E501  (the texts are data, one per line)
"""Write tests/data/tagging_heldout_b.jsonl from the lists below (run once; the .jsonl is the data).

A second held-out set, written by a different author from tests/data/tagging_heldout.py and
before any model was scored on it, independently of portal/demo/texts.py: plain complaints,
questions, long formal submissions, text-speak and misspellings, Liverpool City Region places,
and situations described without the commitment's own words. Texts about no commitment have
slug None. Never copy these into the demo texts, and never tune the model on them.
"""

from jsonl import write

TEXTS: dict[str | None, list[str]] = {
    "social-value-weighting-in-procurement": [
        "How many points out of 100 does community benefit get when you mark bids? It should be a set figure on every contract, not whatever the buyer fancies.",
        "We lost the grounds maintenance tender in Halton to a national firm that was £3k cheaper. Our apprentices and local spend counted for nothing in the scoring.",
        "In line with the Public Services (Social Value) Act, we request that the Authority confirm the minimum evaluation weighting to be applied to non-price criteria across all new call-off contracts.",
        "lowest price wins every time, whats the point of us promising local jobs",
        "Is it true the weighting for social value is now 10% on every new contract? When did that start?",
        "Bid scoring should reward firms that employ people from Knowsley and Sefton, give it a proper chunk of the marks.",
        "A floor of 15 per cent on the quality/price split for social outcomes across all lots would give SMEs certainty when deciding to tender.",
        "The marking scheme for the station refurb framework gave price 70% and quality 30%, with nothing at all for benefits to the area.",
    ],
    "early-clarity-on-social-value-requirements": [
        "Tell us what you want from us on community benefits before the tender goes live, not in a clarification answer two days before the deadline.",
        "As a supplier to the ferries we'd like a conversation early on about what outcomes you're after so we can build them into our price.",
        "The specification for the cleaning contract only mentioned local employment in an appendix we found after submitting. Please be upfront.",
        "Early market engagement events should include a slot explaining exactly what the Authority expects bidders to offer in terms of wider benefits.",
        "small firms like ours in Bootle need months to plan apprenticeships, so give us the heads up on what you'll ask for",
        "At the meet the buyer day in Birkenhead the procurement team couldnt answer basic questions about the social value asks for the upcoming lots.",
        "Publish the expected outcomes in the contracts finder notice so we know whether it is worth bidding.",
        "We'd welcome guidance well ahead of procurement so that our consortium can agree who delivers which commitments.",
    ],
    "safe-spaces-at-stations-and-travel-centres": [
        "A man kept shouting at me on the platform at Sandhills and I didn't know where to go. Staff should be able to take people somewhere safe.",
        "Is the ticket office at Southport somewhere I can go if I'm being followed? There's no sign to say so.",
        "Thank you to the member of staff at Liverpool Central who let my friend sit in the office when she was being harassed on the train.",
        "My son has autism and got very distressed at Huyton station. Would be good if staff were trained to help and had a quiet place.",
        "pls make sure the travel centre staff know what to do if someone says they're in danger, the lady i asked had no clue",
        "Teenage girls coming home from town late feel threatened at some stations. Where can they go for help?",
        "Could there be a sticker on the doors of staffed stations so people know they can ask for help there if they feel at risk?",
        "After a night out I was on my own at Wallasey Grove Road and got scared by a group of lads. Nowhere to go, no staff.",
    ],
    "foodbank-collection-points": [
        "Put a basket for tinned food at Ormskirk station and I'll fill it every week.",
        "Our school in Huyton collects for the local pantry. Can we leave a donation crate at the bus station?",
        "Where's the nearest place on my commute where I can drop off cereal and tins for people who can't afford food?",
        "More drop-off points for groceries at stations please, the one in Liverpool Central is the only one I know of.",
        "food donations at travel centres are a great idea but the bin at Bootle is tucked away where nobody sees it",
        "With so many families going hungry in Wirral, every rail station should have a place to give food.",
        "Can you work with the Trussell network to get collection boxes into more of your travel centres?",
        "donatoin box was full at Birkenhead, couldnt leave my bag of shopping",
    ],
    "transport-user-data": [
        "The real-time boards at Huyton say the bus is due when it's already gone. Sort your information out.",
        "Do you know how many people actually use the late buses in Kirkby? Survey us and you'd see the demand.",
        "Please collect data on passengers with disabilities so you can plan step-free access where it's needed most.",
        "Ticket sales must tell you the 7.10 is rammed every morning, why hasn't the frequency changed?",
        "Publish open data on bus punctuality and passenger numbers so residents can hold operators to account.",
        "nobody ever asks passengers anything, how do you know what routes to run",
        "You should track journeys by postcode to find the estates in Halton with no decent service to the hospital.",
        "A regular survey of who travels, when and why, broken down by age and ethnicity, would let you design the network around real people.",
    ],
    "transport-hubs-as-community-assets": [
        "The first floor of the bus station in St Helens is empty. Let a community group run something there.",
        "Could the travel centre host a weekly advice session for people struggling with bills?",
        "Stations in our town are grim places you rush through. Bring in a cafe, some plants, a noticeboard for local events.",
        "Let local choirs and bands perform at Liverpool Lime Street at weekends, it would make it a place to enjoy.",
        "the old waiting room at Rock Ferry could be a community hub, it's just locked up",
        "We're a credit union looking for a base in Huyton. Would you rent us space at the interchange cheaply?",
        "Make the interchanges useful for the neighbourhood around them: parcel lockers, a library point, room for the residents' group.",
        "Birkenhead Hamilton Square station has a lovely building, open it up for exhibitions and local history.",
    ],
    "fair-employment-charter": [
        "The agency staff doing security at the bus stations get paid less than the people they work beside. That's not right.",
        "Companies you give contracts to should pay a wage people can live on, not the legal minimum.",
        "My partner works nights cleaning trains for a subcontractor, no guaranteed hours, no holiday pay worth having.",
        "Will the Combined Authority require suppliers to recognise trade unions and offer proper contracts?",
        "Training and a path to promotion should be offered to everyone working on your contracts, not only the managers.",
        "pay the real living wage to everyone who works on Merseytravel sites including the subbies",
        "We are a Wirral employer and would sign up to good work standards if there was support and recognition for doing so.",
        "Staff at the ferry cafe are on zero hours, get their rota the day before and can't plan childcare.",
    ],
    "diverse-transport-workforce": [
        "I've never once seen a woman driving a bus on my route through Everton.",
        "Apprenticeships in rail engineering should be promoted to girls at secondary schools.",
        "Your senior team doesn't look like Liverpool. What are you doing to recruit people from Black and Asian communities?",
        "Recruitment days in Toxteth and Kensington would reach people who never think a transport job is for them.",
        "Publish the breakdown of your staff by sex and ethnicity and set targets to fix the gaps.",
        "as a muslim woman i'd love to work at the depot but it doesnt feel welcoming, no one there looks like me",
        "More disabled people and women in the control room and on the trains, please.",
        "The graduate scheme intake photo was all young white lads. Cast the net wider.",
    ],
    "social-value-in-all-activity": [
        "Social value shouldn't stop at buying stuff. How you treat your own staff and spend grant money matters just as much.",
        "Apply the same thinking to your own hiring, your investments and how you run the buses, not only to contractors.",
        "The framework seems to be all about tenders. What about the Authority's own day-to-day work?",
        "Every decision the Combined Authority makes, from housing funding to skills programmes, should ask what good it does locally.",
        "its not just procurement, its everything you do",
        "Make social value part of how every department works, including HR, finance and the capital programme.",
    ],
    "costs-and-benefits-in-investment-decisions": [
        "When deciding on the new Runcorn busway, did anyone count the benefit of people getting to jobs, or just the construction cost?",
        "Show us the sums: what does it cost to ask for social value and what do we actually get back?",
        "Value for money judgements should include health and community benefits, not just cash.",
        "The appraisal for the tram proposal should weigh social returns alongside the financial case.",
        "Please explain how wider benefits to communities are given a monetary value when you compare options for investment.",
        "spending decisions need to look at who benefits and who pays, in a proper way, not a gut feeling",
        "A social return on investment assessment should be published for every major funding decision over £1m.",
    ],
    "anchor-institutions": [
        "The hospitals, universities, councils and the CA should pool their buying power to support local businesses.",
        "Get the big employers in the city region working together on apprenticeships rather than competing.",
        "Why not agree one shared approach to community benefit with the councils and the NHS across Merseyside?",
        "Large institutions that aren't going anywhere — the colleges, the port, the hospitals — should be partners in this.",
        "Link up with the other public bodies so suppliers face one set of social value asks instead of six.",
        "a joint charter with the unis and hospitals would have way more impact than the CA doing it alone",
    ],
    "environmental-benefits": [
        "Swap the old diesel buses on the Crosby route for electric ones, the air on the main road is filthy.",
        "Count reductions in carbon and waste as part of what contractors give back to the region.",
        "The verges at Maghull station could be planted for bees and butterflies instead of mown every fortnight.",
        "Please put solar panels and rainwater collection on the new depot.",
        "When you judge tenders, give credit to firms that cut pollution and use recycled materials.",
        "greener ferries pls, the smoke is awful when you're on the landing stage",
        "Cycle storage and EV charging at every park and ride would help people leave the car at home.",
        "Idling buses outside the school in Walton are poisoning kids. Cleaner vehicles should count as a benefit.",
    ],
    "engaging-transport-providers-and-service-users": [
        "Keep asking passengers what they think as this rolls out, not just once at the start.",
        "Bus operators should have a proper say in how these commitments are put into practice.",
        "Hold drop-in sessions at libraries in Sefton so older people who don't use the internet can give their views.",
        "Thank you for this survey. Please report back on what you heard and what you changed.",
        "Set up a passenger panel with disabled users, young people and shift workers and meet them every quarter.",
        "we never hear back after these consultations, close the loop",
        "As a community transport provider we'd welcome being consulted on how the framework affects us.",
        "Do a proper consultation with the rail and ferry operators as well as the public before setting targets.",
    ],
    None: [
        "My card was charged twice for the same journey on Tuesday.",
        "What time is the last train from Hunts Cross to Southport on a Saturday?",
        "The bus stop sign on Queens Drive has been knocked down.",
        "Lovely friendly driver on the 10 this morning, made my day.",
        "I cannot log in to my account to renew my pass.",
        "Why has the fare from Birkenhead to Liverpool gone up again?",
        "The lift at Moorfields is out of order.",
        "Found a wallet on the 82C, who do I hand it to?",
        "asdfgh",
        "The train was so crowded I couldn't get on at Kirkdale.",
        "Please can you extend the Merseyrail network to Skelmersdale.",
        "There is graffiti all over the shelter at the end of my road.",
        "How do I get a refund for a cancelled ferry cruise?",
        "Dog fouling on the path to the station is disgusting.",
        "The clocks on the platform at Bootle Oriel Road are wrong.",
        "Visit our website for the best deals on car insurance",
        "The air conditioning on the new trains is freezing.",
        "Can I take my bike on the Mersey Ferry?",
        "Roadworks on Scotland Road are causing huge delays every evening.",
        "The bus driver didn't stop even though I waved.",
        "I'd like a copy of my journey history for my tax return.",
        "Hello",
        "Your contact centre kept me on hold for 40 minutes.",
        "Are concessionary passes valid before 9.30am?",
        "Seats on the 53 are ripped and dirty.",
    ],
}


def main() -> None:
    """Write the JSON-lines file beside this script."""
    write(TEXTS, "b", __file__)


if __name__ == "__main__":
    main()
